import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PersistentVolumeClaim } from '../kube/models.js';
import { R } from '../kube/resources.js';
import { startTestApiServer, type TestApiServer } from '../kube/testing.js';
import { parsePvcRef, requestBackup, type BackupRequest } from './request.js';
import { isFerryError } from '../util/errors.js';

let api: TestApiServer;

const request = (overrides: Partial<BackupRequest> = {}): BackupRequest => ({ name: 'nightly', namespace: 'velero', pvcNamespace: 'app', pvc: 'data', storageLocation: 'default', ...overrides });

async function pvc(name: string, phase: string): Promise<void> {
  const claim: PersistentVolumeClaim = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'app' }, spec: { storageClassName: 'fast', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } };
  await api.client.create(R.persistentVolumeClaims, 'app', claim);
  await api.client.patch(R.persistentVolumeClaims, { namespace: 'app', name, subresource: 'status' }, { status: { phase } });
}

describe('requestBackup (what Velero\'s CSI plugin does for --snapshot-move-data)', () => {
  before(async () => {
    api = await startTestApiServer({ namespaces: ['velero', 'app'] });
    await api.client.create(R.storageClasses, undefined, { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast' }, provisioner: 'hostpath.csi.example' });
    await api.client.create(R.backupStorageLocations, 'velero', { apiVersion: 'velero.io/v1', kind: 'BackupStorageLocation', metadata: { name: 'default', namespace: 'velero' }, spec: { provider: 'aws', objectStorage: { bucket: 'b' } } });
    for (const [name, isDefault] of [['other', 'false'], ['snaps', 'true']] as const) {
      await api.client.create(R.volumeSnapshotClasses, undefined, {
        apiVersion: 'snapshot.storage.k8s.io/v1',
        kind: 'VolumeSnapshotClass',
        metadata: { name, annotations: { 'snapshot.storage.kubernetes.io/is-default-class': isDefault } },
        driver: 'hostpath.csi.example',
        deletionPolicy: 'Delete',
      });
    }
    await pvc('data', 'Bound');
    await pvc('pending', 'Pending');
  });
  after(async () => {
    await api.close();
  });

  it('snapshots the PVC with its driver\'s default class and asks Ferry to move it', async () => {
    const { dataUpload, volumeSnapshot } = await requestBackup(api.client, request());
    assert.match(volumeSnapshot.metadata.name ?? '', /^nightly-/);
    assert.equal(volumeSnapshot.metadata.namespace, 'app');
    assert.deepEqual(volumeSnapshot.spec, { source: { persistentVolumeClaimName: 'data' }, volumeSnapshotClassName: 'snaps' });
    assert.match(dataUpload.metadata.name ?? '', /^nightly-/);
    assert.equal(dataUpload.metadata.labels?.['velero.io/backup-name'], 'nightly');
    assert.deepEqual(dataUpload.spec, {
      snapshotType: 'CSI',
      csiSnapshot: { volumeSnapshot: volumeSnapshot.metadata.name, storageClass: 'fast', snapshotClass: 'snaps', driver: 'hostpath.csi.example' },
      sourcePVC: 'data',
      datamover: 'ferry',
      backupStorageLocation: 'default',
      sourceNamespace: 'app',
      operationTimeout: '10m0s',
    });
    await assert.rejects(requestBackup(api.client, request()), (err: unknown) => {
      assert.ok(isFerryError(err));
      assert.match(err.message, /backup nightly already exists in namespace velero/);
      assert.match(err.hint ?? '', /free this one once it has ended: kubectl delete datauploads -n velero -l velero\.io\/backup-name=nightly$/);
      return true;
    });
  });

  it('says what is wrong with the request', async () => {
    await assert.rejects(requestBackup(api.client, request({ name: 'b2', pvc: 'pending' })), /PVC app\/pending is Pending: only bound volumes can be snapshotted/);
    await assert.rejects(requestBackup(api.client, request({ name: 'b3', storageLocation: 'elsewhere' })), /backupstoragelocations.velero.io "elsewhere" not found in namespace velero/);
    await assert.rejects(requestBackup(api.client, request({ name: 'Bad_Name' })), /backup name "Bad_Name" is invalid/);
    assert.throws(() => parsePvcRef('data'), /--pvc "data" is not NAMESPACE\/NAME/);
  });
});
