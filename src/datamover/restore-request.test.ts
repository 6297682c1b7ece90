import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DataUpload } from '../kube/crds.js';
import type { ObjectMeta, PersistentVolumeClaim } from '../kube/models.js';
import { R } from '../kube/resources.js';
import { startTestApiServer, type TestApiServer } from '../kube/testing.js';
import { veleroSchemaErrors } from '../../test/support/velero-schema.js';
import { dataDownloadsOf, itemFromDataUpload, itemsFromBackup, parseNamespaceMapping, parseTargetPvc, requestRestore } from './restore-request.js';

function upload(name: string, pvc: string, phase: 'Completed' | 'Failed'): DataUpload {
  const meta: ObjectMeta = { name, namespace: 'velero', labels: { 'velero.io/backup-name': 'nightly' } };
  return {
    apiVersion: 'velero.io/v2alpha1',
    kind: 'DataUpload',
    metadata: meta,
    spec: { snapshotType: 'CSI', csiSnapshot: { volumeSnapshot: 'vs', storageClass: 'fast' }, sourcePVC: pvc, sourceNamespace: 'app', backupStorageLocation: 'default', datamover: 'ferry', operationTimeout: '10m0s' },
    status: { phase, snapshotID: phase === 'Completed' ? `snap-${pvc}` : '', progress: { totalBytes: 3 * 2 ** 30 + 1, bytesDone: 3 * 2 ** 30 + 1 } },
  };
}

describe('restore requests (against a real API server)', () => {
  let api: TestApiServer;

  before(async () => {
    api = await startTestApiServer({ namespaces: ['velero', 'app', 'copy'] });
    for (const du of [upload('nightly-a', 'data', 'Completed'), upload('nightly-b', 'logs', 'Completed'), upload('nightly-c', 'broken', 'Failed')]) {
      const created = await api.client.create<DataUpload>(R.dataUploads, 'velero', du);
      await api.client.replace(R.dataUploads, { namespace: 'velero', name: du.metadata.name }, { ...created, status: du.status });
    }
    await api.client.create(R.persistentVolumeClaims, 'app', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'app' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } } } });
  });
  after(async () => {
    await api.close();
  });

  it('parses --namespace-mapping and --target-pvc, refusing malformed ones', () => {
    assert.deepEqual([...parseNamespaceMapping(['app:copy,a:b', 'c:d'])], [['app', 'copy'], ['a', 'b'], ['c', 'd']]);
    assert.throws(() => parseNamespaceMapping(['app']), /is not OLD:NEW/);
    assert.deepEqual(parseTargetPvc('app/data'), { namespace: 'app', name: 'data' });
    assert.throws(() => parseTargetPvc('data'), /is not NAMESPACE\/NAME/);
  });

  it('restores every completed volume of a backup into the mapped namespace: a waiting target PVC and a valid DataDownload each', async () => {
    const items = await itemsFromBackup(api.client, 'velero', 'nightly', parseNamespaceMapping(['app:copy']));
    assert.deepEqual(items.map((i) => [i.target.namespace, i.target.name, i.size]).sort(), [['copy', 'data', '5Gi'], ['copy', 'logs', '4Gi']], 'size of the source PVC, else the backed-up bytes in whole GiB');
    const created = await requestRestore(api.client, { name: 'back', namespace: 'velero', items });
    assert.equal(created.length, 2);
    for (const dd of created) {
      assert.deepEqual(veleroSchemaErrors(dd), []);
      assert.equal(dd.spec.sourceNamespace, 'app');
      assert.equal(dd.spec.snapshotID, `snap-${dd.spec.targetVolume.pvc}`);
      const target = await api.client.get<PersistentVolumeClaim>(R.persistentVolumeClaims, { namespace: 'copy', name: dd.spec.targetVolume.pvc });
      assert.equal(target.spec?.storageClassName, 'fast');
      assert.ok(target.spec.selector?.matchLabels?.['velero.io/dynamic-pv-restore'], 'a selector keeps provisioners away from the target');
    }
    assert.equal((await dataDownloadsOf(api.client, 'velero', 'back')).length, 2);
  });

  it('refuses to restore over an existing PVC, a reused name, or an upload that did not complete', async () => {
    const item = await itemFromDataUpload(api.client, 'velero', 'nightly-a', { namespace: 'app', name: 'data' }, 'other');
    assert.equal(item.storageClass, 'other');
    await assert.rejects(requestRestore(api.client, { name: 'over', namespace: 'velero', items: [item] }), /PVC app\/data already exists/);
    await assert.rejects(requestRestore(api.client, { name: 'back', namespace: 'velero', items: [] }), /restore back already exists/);
    await assert.rejects(itemFromDataUpload(api.client, 'velero', 'nightly-c', { namespace: 'app', name: 'x' }, undefined), /is Failed: only completed uploads/);
  });
});
