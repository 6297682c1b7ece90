import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DataDownload, DataUpload } from '../kube/crds.js';
import type { Namespace, ObjectMeta, PersistentVolumeClaim } from '../kube/models.js';
import { R } from '../kube/resources.js';
import { startTestApiServer, type TestApiServer } from '../kube/testing.js';
import { veleroSchemaErrors } from '../../test/support/velero-schema.js';
import { isFerryError, type FerryError } from '../util/errors.js';
import { dataDownloadsOf, itemFromDataUpload, itemsFromBackup, parseNamespaceMapping, parseTargetPvc, requestRestore, type RestoreItem } from './restore-request.js';

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
    for (const name of ['fast', 'slow']) {
      const annotations = name === 'slow' ? { 'storageclass.kubernetes.io/is-default-class': 'true' } : {};
      await api.client.create(R.storageClasses, undefined, { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name, annotations }, provisioner: 'p' });
    }
    await api.client.create(R.persistentVolumeClaims, 'app', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'app' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } } } });
  });
  after(async () => {
    await api.close();
  });

  it('parses --namespace-mapping and --target-pvc, refusing malformed ones', () => {
    assert.deepEqual([...parseNamespaceMapping(['app:copy,a:b', 'c:d'])], [['app', 'copy'], ['a', 'b'], ['c', 'd']]);
    assert.throws(() => parseNamespaceMapping(['app']), /is not OLD:NEW/);
    assert.throws(() => parseNamespaceMapping(['app:App_2']), /"App_2" is not a valid namespace name/);
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
    await assert.rejects(requestRestore(api.client, { name: 'back', namespace: 'velero', items: [] }), (err: unknown) => {
      assert.ok(isFerryError(err));
      assert.match(err.message, /restore back already exists/);
      assert.match(err.hint ?? '', /kubectl delete datadownloads -n velero -l velero\.io\/restore-name=back$/);
      return true;
    });
    await assert.rejects(itemFromDataUpload(api.client, 'velero', 'nightly-c', { namespace: 'app', name: 'x' }, undefined), /is Failed: only completed uploads/);
    await assert.rejects(itemFromDataUpload(api.client, 'velero', 'nosuch', { namespace: 'app', name: 'x' }, undefined), (err: FerryError) => {
      assert.equal(err.message, 'DataUpload nosuch not found in namespace velero');
      assert.match(err.hint ?? '', /kubectl get datauploads -n velero/);
      return true;
    });
  });

  it('refuses a storage class that does not exist before creating anything, naming the classes that do', async () => {
    const item = await itemFromDataUpload(api.client, 'velero', 'nightly-a', { namespace: 'app', name: 'typo' }, 'nope');
    await assert.rejects(requestRestore(api.client, { name: 'typo', namespace: 'velero', items: [item] }), (err: FerryError) => {
      assert.equal(err.message, 'storage class "nope" not found (for PVC app/typo)');
      assert.equal(err.hint, 'the storage classes in this cluster are fast, slow (default)');
      return true;
    });
    assert.equal(await api.client.find(R.persistentVolumeClaims, { namespace: 'app', name: 'typo' }), undefined);
    assert.deepEqual(await dataDownloadsOf(api.client, 'velero', 'typo'), []);
    const [fromSource] = await itemsFromBackup(api.client, 'velero', 'nightly', parseNamespaceMapping(['app:elsewhere']));
    assert.ok(fromSource !== undefined);
    const gone = { ...fromSource, storageClass: 'retired', dataUpload: { ...fromSource.dataUpload, spec: { ...fromSource.dataUpload.spec, csiSnapshot: { volumeSnapshot: 'vs', storageClass: 'retired' } } } };
    await assert.rejects(requestRestore(api.client, { name: 'retired', namespace: 'velero', items: [gone] }), (err: FerryError) => {
      assert.match(err.message, /^storage class "retired" not found \(for PVC elsewhere\/\w+\)$/);
      assert.match(err.hint ?? '', /; it is the source PVC's class: create it, or restore into another class with `ferry restore create NAME --data-upload nightly-\w --target-pvc elsewhere\/\w+ --storage-class CLASS`$/);
      return true;
    });
  });

  it('checks every volume before creating anything, and reports every problem at once', async () => {
    const items = await itemsFromBackup(api.client, 'velero', 'nightly', parseNamespaceMapping(['app:unborn']));
    const [a, b] = items;
    assert.ok(a !== undefined && b !== undefined);
    const existing: RestoreItem = { ...a, target: { namespace: 'app', name: 'data' } };
    const typo: RestoreItem = { ...b, storageClass: 'fsat' };
    await assert.rejects(requestRestore(api.client, { name: 'many', namespace: 'velero', items: [existing, typo, { ...typo }] }), (err: FerryError) => {
      assert.equal(err.code, 'Conflict');
      assert.equal(err.message, `2 volumes would be restored into PVC unborn/${b.target.name}; PVC app/data already exists; storage class "fsat" not found (for PVC unborn/${b.target.name}, unborn/${b.target.name})`);
      return true;
    });
    assert.equal(await api.client.find(R.namespaces, { name: 'unborn' }), undefined, 'not even the namespace is created');
    assert.deepEqual(await dataDownloadsOf(api.client, 'velero', 'many'), []);
  });

  it('creates a missing target namespace, as Velero\'s restore does, and says so', async () => {
    const items = await itemsFromBackup(api.client, 'velero', 'nightly', parseNamespaceMapping(['app:fresh']));
    const said: string[] = [];
    const created = await requestRestore(api.client, { name: 'fresh', namespace: 'velero', items, report: (line) => said.push(line) });
    assert.deepEqual(said, ['created namespace fresh']);
    assert.ok((await api.client.find<Namespace>(R.namespaces, { name: 'fresh' })) !== undefined);
    assert.deepEqual(created.map((dd) => dd.spec.targetVolume.namespace), ['fresh', 'fresh']);
  });

  it('a create failing half-way says what was created and how to remove it', async () => {
    const items = await itemsFromBackup(api.client, 'velero', 'nightly', parseNamespaceMapping(['app:halfway']));
    const [a, b] = items;
    assert.ok(a !== undefined && b !== undefined);
    // The API server refuses the second DataDownload: Velero's schema requires a storage location.
    const { backupStorageLocation: _bsl, ...spec } = b.dataUpload.spec;
    const broken = { ...b, dataUpload: { ...b.dataUpload, spec: spec as DataUpload['spec'] } };
    await assert.rejects(requestRestore(api.client, { name: 'halfway', namespace: 'velero', items: [a, broken] }), (err: FerryError) => {
      const [dd] = err.message.match(/DataDownload velero\/halfway-\w+/) ?? [];
      assert.match(err.message, /^restore halfway stopped half-way: .*; already created: DataDownload velero\/halfway-\w+, PVC halfway\/\w+, PVC halfway\/\w+, namespace halfway$/);
      assert.ok(dd !== undefined);
      assert.equal(err.hint, 'remove them before trying again: kubectl delete datadownloads -n velero -l velero.io/restore-name=halfway && kubectl delete namespace halfway');
      return true;
    });
    const left: DataDownload[] = await dataDownloadsOf(api.client, 'velero', 'halfway');
    assert.equal(left.length, 1);
  });
});
