// A DaemonSet of Ferry's image through the whole local cluster (nodes, scheduler, DaemonSet controller, kubelets):
// one real process per eligible node, replaced by a rollout restart, and ended when its pod is deleted.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Pod } from '@kubernetes/client-node';
import { DEFAULT_FERRY_IMAGE } from '../../src/kube/image.js';
import { MERGE_PATCH } from '../../src/localcluster/kubelet/api.js';
import { alive, containerPid, waitFor } from '../../src/localcluster/kubelet/testing.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';

const NS = 'default';
const LABEL = 'ferry.dev/data-mover';

describe('DaemonSet of Ferry on the local cluster', { timeout: 120_000 }, () => {
  let cluster: TestCluster;

  /** The DaemonSet's pods once exactly one runs (Ready) on each of `nodes` and `accept` holds for the set. */
  const runningPods = (nodes: string[], accept: (pods: V1Pod[]) => boolean = () => true): Promise<V1Pod[]> =>
    waitFor(
      async () => (await cluster.core.listNamespacedPod({ namespace: NS, labelSelector: 'app=mover' })).items.filter((p) => p.metadata?.deletionTimestamp === undefined),
      (pods) =>
        pods.length === nodes.length &&
        nodes.every((n) => pods.some((p) => p.spec?.nodeName === n && p.status?.containerStatuses?.[0]?.ready === true)) &&
        accept(pods),
      30_000,
    );

  before(async () => {
    cluster = await startTestCluster({ nodes: 3, scheduler: true, daemonSets: true, kubelets: true });
    for (const name of ['node-1', 'node-3']) await cluster.core.patchNode({ name, body: { metadata: { labels: { [LABEL]: 'true' } } } }, MERGE_PATCH);
    await cluster.objects.create({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'mover', namespace: NS },
      spec: {
        selector: { matchLabels: { app: 'mover' } },
        template: {
          metadata: { labels: { app: 'mover' } },
          spec: {
            nodeSelector: { [LABEL]: 'true' },
            terminationGracePeriodSeconds: 1,
            containers: [{ name: 'mover', image: DEFAULT_FERRY_IMAGE, command: ['node', '-e', 'setInterval(() => {}, 1000)'] }],
          },
        },
      },
    });
  });
  after(async () => {
    await cluster.stop();
  });

  it('runs one process per eligible node, replaces them on rollout restart, and ends one whose pod is deleted', async () => {
    const first = await runningPods(['node-1', 'node-3']);
    const pids = first.map((p) => containerPid(p));
    assert.equal(new Set(pids).size, 2);
    assert.ok(pids.every(alive));

    // `kubectl rollout restart ds/mover`
    const restartedAt = new Date().toISOString();
    await cluster.apps.patchNamespacedDaemonSet({ name: 'mover', namespace: NS, body: { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': restartedAt } } } } } }, MERGE_PATCH);
    const oldUids = new Set(first.map((p) => p.metadata?.uid));
    const second = await runningPods(['node-1', 'node-3'], (pods) => pods.every((p) => !oldUids.has(p.metadata?.uid)));
    await waitFor(() => Promise.resolve(pids.filter(alive)), (left) => left.length === 0);
    const newPids = second.map((p) => containerPid(p));
    assert.ok(newPids.every(alive));

    const victim = second.find((p) => p.spec?.nodeName === 'node-3');
    const victimPid = containerPid(victim!);
    await cluster.core.deleteNamespacedPod({ name: victim?.metadata?.name ?? '', namespace: NS });
    await waitFor(() => Promise.resolve(alive(victimPid)), (a) => !a);
    const third = await runningPods(['node-1', 'node-3'], (pods) => pods.every((p) => p.metadata?.uid !== victim?.metadata?.uid));
    assert.ok(third.map((p) => containerPid(p)).every(alive));
  });
});
