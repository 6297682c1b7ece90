import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dataMoverPodAffinity } from '../affinity/index.js';
import { loadAffinity } from '../affinity/testing.js';
import type { NodeAgentConfig } from '../config/types.js';
import { nodeAgentDaemonSet } from '../install/manifests.js';
import type { DataDownload } from '../kube/crds.js';
import type { ObjectMeta, PersistentVolumeClaim, Pod } from '../kube/models.js';
import { R } from '../kube/resources.js';
import { startTestApiServer, type TestApiServer } from '../kube/testing.js';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { veleroSchemaErrors } from '../../test/support/velero-schema.js';
import { RestoreExposer } from './restore.js';

const CONFIG: NodeAgentConfig = {
  loadAffinity: [loadAffinity({ matchLabels: { zone: 'a' } }, 'fast'), loadAffinity({ matchLabels: { zone: 'b' } }, 'later')],
};

function dataDownload(name: string, pvc: string): DataDownload {
  const meta: ObjectMeta = { name, namespace: 'velero' };
  return {
    apiVersion: 'velero.io/v2alpha1',
    kind: 'DataDownload',
    metadata: meta,
    spec: { targetVolume: { pvc, pv: '', namespace: 'app' }, backupStorageLocation: 'default', datamover: 'ferry', snapshotID: 'abc', sourceNamespace: 'app', operationTimeout: '10m0s' },
  };
}

describe('RestoreExposer (against a real API server)', () => {
  let api: TestApiServer;
  let exposer: RestoreExposer;
  const logged: string[] = [];

  async function expose(name: string, pvc: string, storageClass: string, config: NodeAgentConfig): Promise<{ dd: DataDownload; pod: Pod; claim: PersistentVolumeClaim }> {
    const { client } = api;
    await client.create(R.persistentVolumeClaims, 'app', {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: pvc, namespace: 'app' },
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: storageClass, resources: { requests: { storage: '2Gi' } } },
    });
    const dd = await client.create<DataDownload>(R.dataDownloads, 'velero', dataDownload(name, pvc));
    assert.deepEqual(veleroSchemaErrors(dd), []);
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        logged.push(chunk.toString());
        done();
      },
    });
    const logger = pino({ level: 'info', base: null }, stream);
    exposer = new RestoreExposer({ client, namespace: 'velero', config, priorityClassName: undefined, resourceTimeoutMs: 5000, logger });
    await exposer.expose(dd, new AbortController().signal);
    const pod = await client.get<Pod>(R.pods, { namespace: 'velero', name });
    const claim = await client.get<PersistentVolumeClaim>(R.persistentVolumeClaims, { namespace: 'velero', name });
    return { dd, pod, claim };
  }

  /** Starts an expose that has to wait, and what the exposer says meanwhile. */
  async function exposeWaiting(name: string, pvc: string, storageClass: string): Promise<{ pending: ReturnType<typeof expose>; said: string | undefined }> {
    const pending = expose(name, pvc, storageClass, CONFIG);
    await new Promise((resolve) => setTimeout(resolve, 300));
    return { pending, said: await exposer.diagnose(dataDownload(name, pvc), undefined) };
  }

  before(async () => {
    api = await startTestApiServer({ namespaces: ['velero', 'app'] });
    const { client } = api;
    await client.create(R.daemonSets, 'velero', nodeAgentDaemonSet({ namespace: 'velero', image: 'ferry/ferry:1.2.3', nodeAgentConfigMap: 'cfg' }));
    for (const [name, mode] of [['fast', 'Immediate'], ['later', 'WaitForFirstConsumer']] as const) {
      await client.create(R.storageClasses, undefined, { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name }, provisioner: 'p', volumeBindingMode: mode });
    }
  });
  after(async () => {
    await api.close();
  });

  it('feeds an Immediate target by a restore PVC of its class and size and a restore pod placed by the class\'s loadAffinity entry', async () => {
    const { dd, pod, claim } = await expose('r-1', 'data', 'fast', CONFIG);
    assert.deepEqual(claim.spec?.storageClassName, 'fast');
    assert.equal(claim.spec.resources?.requests?.storage, '2Gi');
    assert.equal(claim.metadata?.labels?.['velero.io/data-download'], 'r-1');
    const container = pod.spec?.containers[0];
    assert.deepEqual(container?.args?.slice(0, 3), ['data-mover', 'restore', '--data-download=r-1']);
    assert.equal(pod.metadata?.labels?.['velero.io/data-download'], 'r-1');
    assert.deepEqual(pod.spec?.affinity, dataMoverPodAffinity(loadAffinity({ matchLabels: { zone: 'a' } }, 'fast')));
    assert.equal(pod.spec.nodeSelector, undefined);
    assert.equal(pod.spec.nodeName, undefined, 'never pinned with nodeName');
    await exposer.cleanUp(dd);
    assert.equal(await api.client.find(R.pods, { namespace: 'velero', name: 'r-1' }), undefined);
    const left = await api.client.find<PersistentVolumeClaim>(R.persistentVolumeClaims, { namespace: 'velero', name: 'r-1' });
    assert.ok(left === undefined || left.metadata?.deletionTimestamp !== undefined, 'the restore PVC is deleted');
    assert.notEqual(await api.client.find(R.persistentVolumeClaims, { namespace: 'app', name: 'data' }), undefined, 'the target PVC is the user\'s: kept');
  });

  it('follows a WaitForFirstConsumer workload\'s node with a hostname node selector, ignoring loadAffinity, and logs it', async () => {
    const { pending, said } = await exposeWaiting('r-2', 'wffc', 'later');
    assert.equal(await api.client.find(R.pods, { namespace: 'velero', name: 'r-2' }), undefined, 'no restore pod before the workload is scheduled');
    assert.equal(
      said,
      'waiting for a pod using PVC app/wffc to be scheduled (its storage class later is WaitForFirstConsumer; set restorePVC.ignoreDelayBinding to place the restore by loadAffinity instead)',
      'what it waits for is its diagnosis, for status.message and the prepare timeout',
    );
    await api.client.patch(R.persistentVolumeClaims, { namespace: 'app', name: 'wffc' }, { metadata: { annotations: { 'volume.kubernetes.io/selected-node': 'node-7' } } });
    const { pod } = await pending;
    assert.deepEqual(pod.spec?.nodeSelector, { 'kubernetes.io/hostname': 'node-7' });
    assert.deepEqual(pod.spec.affinity, dataMoverPodAffinity(undefined), 'only the OS requirement');
    assert.equal(pod.spec.nodeName, undefined);
    assert.ok(logged.some((l) => l.includes('loadAffinity is ignored') && l.includes('node-7')), logged.join('\n'));
  });

  it('waits for a target storage class that does not exist, saying so, and goes on once it is created', async () => {
    const { pending, said } = await exposeWaiting('r-4', 'ghostly', 'ghost');
    assert.equal(await api.client.find(R.persistentVolumeClaims, { namespace: 'velero', name: 'r-4' }), undefined, 'no restore PVC of a class that does not exist');
    assert.equal(said, 'storage class "ghost" of the target PVC app/ghostly does not exist: the restore waits until it is created (`kubectl get storageclass` lists the classes)');
    await api.client.create(R.storageClasses, undefined, { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'ghost' }, provisioner: 'p' });
    const { dd, claim } = await pending;
    assert.equal(claim.spec?.storageClassName, 'ghost');
    assert.doesNotMatch((await exposer.diagnose(dd, undefined)) ?? '', /does not exist/, 'the reason is gone with the wait');
  });

  it('with restorePVC.ignoreDelayBinding, a WaitForFirstConsumer target is placed by loadAffinity at once', async () => {
    const { pod } = await expose('r-3', 'wffc-ignored', 'later', { ...CONFIG, restorePVC: { ignoreDelayBinding: true } });
    assert.equal(pod.spec?.nodeSelector, undefined);
    assert.deepEqual(pod.spec?.affinity, dataMoverPodAffinity(loadAffinity({ matchLabels: { zone: 'b' } }, 'later')));
  });
});
