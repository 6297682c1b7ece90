import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { veleroSchemaErrors } from '../support/velero-schema.js';

const du = {
  apiVersion: 'velero.io/v2alpha1',
  kind: 'DataUpload',
  metadata: { name: 'b-1', namespace: 'velero' },
  spec: { snapshotType: 'CSI', csiSnapshot: { volumeSnapshot: 'vs', storageClass: 'sc' }, sourcePVC: 'p', sourceNamespace: 'ns', backupStorageLocation: 'default', operationTimeout: '10m0s' },
  status: { phase: 'Completed', progress: { totalBytes: 10, bytesDone: 10 }, completionTimestamp: '2026-11-21T08:00:00Z', node: 'node-1' },
};

describe('Velero schema validation (the checker itself)', () => {
  it('accepts what Velero writes', () => {
    assert.deepEqual(veleroSchemaErrors(du), []);
  });
  it('rejects an unknown phase, a wrong type, a bad timestamp and a field Velero does not know', () => {
    const bad = { ...du, status: { phase: 'Exposing', progress: { totalBytes: '10' }, completionTimestamp: 'yesterday', bogus: 1 } };
    const errors = veleroSchemaErrors(bad);
    assert.ok(errors.some((e) => e.startsWith('/status/phase')), errors.join('\n'));
    assert.ok(errors.some((e) => e.startsWith('/status/progress/totalBytes')), errors.join('\n'));
    assert.ok(errors.some((e) => e.startsWith('/status/completionTimestamp')), errors.join('\n'));
    assert.ok(errors.some((e) => e.includes('(bogus)')), errors.join('\n'));
  });
});
