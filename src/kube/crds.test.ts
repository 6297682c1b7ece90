import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DATA_MOVEMENT_PHASES, veleroCrds } from './crds.js';

describe('Velero CRDs shipped with Ferry', () => {
  it('are the DataUpload, DataDownload and BackupStorageLocation definitions', () => {
    const names = veleroCrds().map((crd) => crd.metadata?.name);
    assert.deepEqual(names, ['datauploads.velero.io', 'datadownloads.velero.io', 'backupstoragelocations.velero.io']);
  });
  it('declare exactly the phases Ferry knows', () => {
    for (const crd of veleroCrds().slice(0, 2)) {
      // Parsed YAML keeps the schema's own `enum` key (the client's generated type renames it), so read it as JSON.
      const schema = crd.spec.versions[0]?.schema?.openAPIV3Schema as unknown as {
        properties: { status: { properties: { phase: { enum: string[] } } } };
      };
      assert.deepEqual(schema.properties.status.properties.phase.enum, [...DATA_MOVEMENT_PHASES]);
    }
  });
});
