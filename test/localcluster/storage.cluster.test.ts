// The driver with the scheduler and kubelets: a WaitForFirstConsumer claim is provisioned on the node the scheduler
// picked for its first pod, and the volume's node affinity then brings later pods to that node.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { DEFAULT_FERRY_IMAGE } from '../../src/kube/image.js';
import { podManifest, waitFor } from '../../src/localcluster/kubelet/testing.js';
import { WFFC_STORAGE_CLASS } from '../../src/localcluster/storage/index.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';

const NS = 'default';

describe('hostpath CSI driver in a cluster with scheduler and kubelets', { timeout: 120_000 }, () => {
  let cluster: TestCluster;

  const finished = (name: string): Promise<V1Pod> =>
    waitFor(() => cluster.core.readNamespacedPod({ name, namespace: NS }), (p) => ['Succeeded', 'Failed'].includes(p.status?.phase ?? ''), 30_000);
  const writerPod = (name: string, script: string) =>
    podManifest(name, undefined, {
      restartPolicy: 'Never',
      containers: [{ name: 'main', image: DEFAULT_FERRY_IMAGE, command: ['node', '-e', script], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'wffc' } }],
    });

  before(async () => {
    cluster = await startTestCluster({ nodes: 3, scheduler: true, kubelets: true, storage: true });
  });
  after(async () => {
    await cluster.stop();
  });

  it('provisions a WaitForFirstConsumer claim on the scheduled node and keeps later pods there', async () => {
    await cluster.objects.create({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'wffc', namespace: NS },
      spec: { storageClassName: WFFC_STORAGE_CLASS, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    });
    await cluster.objects.create(writerPod('first', "require('fs').writeFileSync(process.env.FERRY_CONTAINER_ROOT+'/data/hello','from '+process.env.HOSTNAME)"));
    const first = await finished('first');
    assert.equal(first.status?.phase, 'Succeeded');
    const node = first.spec?.nodeName ?? '';
    const claim = await cluster.core.readNamespacedPersistentVolumeClaim({ name: 'wffc', namespace: NS });
    assert.equal(claim.metadata?.annotations?.['volume.kubernetes.io/selected-node'], node);
    const pv = await cluster.core.readPersistentVolume({ name: claim.spec?.volumeName ?? '' });
    assert.deepEqual(pv.spec?.nodeAffinity?.required?.nodeSelectorTerms[0]?.matchExpressions?.[0]?.values, [node]);
    assert.equal(await readFile(join(cluster.api.dir, 'volumes', pv.metadata?.name ?? '', 'hello'), 'utf8'), 'from first');

    for (const name of ['second', 'third']) await cluster.objects.create(writerPod(name, "require('fs').readFileSync(process.env.FERRY_CONTAINER_ROOT+'/data/hello')"));
    for (const name of ['second', 'third']) {
      const pod = await finished(name);
      assert.equal(pod.status?.phase, 'Succeeded');
      assert.equal(pod.spec?.nodeName, node, 'the volume topology keeps pods of the claim on its node');
    }
  });
});
