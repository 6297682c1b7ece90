// The DaemonSet controller with the scheduler, nodes and kubelets of the local cluster: one pod per eligible node,
// node changes through kubectl, `kubectl rollout restart` / `rollout status`, and a deleted pod coming back.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { V1DaemonSet, V1Pod } from '@kubernetes/client-node';
import { REVISION_HASH_LABEL } from '../../src/localcluster/daemonset/index.js';
import { waitFor } from '../../src/localcluster/kubelet/testing.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { findKubectl, kubectlFor, type Kubectl } from '../support/kubectl.js';

const NS = 'default';
const kubectlFound = findKubectl();

describe('local DaemonSet controller', { concurrency: 1, skip: 'skip' in kubectlFound ? kubectlFound.skip : false }, () => {
  let cluster: TestCluster;
  let kubectl: Kubectl;

  const run = async (...args: string[]): Promise<string> => {
    const r = await kubectl.run(args, { timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };
  const daemonPods = async (app: string): Promise<V1Pod[]> =>
    (await cluster.core.listNamespacedPod({ namespace: NS, labelSelector: `app=${app}` })).items.filter((p) => !p.metadata?.deletionTimestamp);
  /** The nodes of the running, ready daemon pods once they are exactly `nodes`. */
  const readyOn = async (app: string, nodes: string[]): Promise<V1Pod[]> =>
    waitFor(
      () => daemonPods(app),
      (pods) =>
        JSON.stringify(pods.map((p) => p.spec?.nodeName ?? '').sort()) === JSON.stringify(nodes) &&
        pods.every((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')),
    );
  const daemonSet = (name: string): Promise<V1DaemonSet> => cluster.apps.readNamespacedDaemonSet({ name, namespace: NS });
  const createDaemonSet = async (name: string, spec: Record<string, unknown> = {}): Promise<void> => {
    await cluster.objects.create({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name, namespace: NS },
      spec: {
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'agent', image: 'busybox' }], ...spec } },
      },
    });
  };

  before(async () => {
    cluster = await startTestCluster({
      nodes: [
        { metadata: { name: 'node-1', labels: { role: 'worker' } } },
        { metadata: { name: 'node-2', labels: { role: 'worker' } } },
        { metadata: { name: 'node-3', labels: { role: 'worker' } }, spec: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] } },
      ],
      scheduler: true,
      daemonSets: true,
      kubelets: true,
    });
    kubectl = kubectlFor('path' in kubectlFound ? kubectlFound.path : 'kubectl', cluster.kubeconfigPath);
    await createDaemonSet('agent', { nodeSelector: { role: 'worker' } });
  });
  after(async () => {
    // Pods end before the kubelets stop: a kubelet stopping with live pods keeps retrying their status writes.
    await cluster.apps.deleteNamespacedDaemonSet({ name: 'agent', namespace: NS });
    await waitFor(
      () => cluster.core.listNamespacedPod({ namespace: NS }),
      (list) => list.items.length === 0,
    );
    await cluster.stop();
  });

  it('runs one pod per eligible node, and `kubectl rollout status` finishes', async () => {
    await run('rollout', 'status', 'ds/agent', '--timeout=30s');
    const pods = await readyOn('agent', ['node-1', 'node-2']);
    for (const p of pods) {
      const owner = p.metadata?.ownerReferences?.[0];
      assert.deepEqual([owner?.kind, owner?.name, owner?.controller], ['DaemonSet', 'agent', true]);
      assert.match(p.metadata?.labels?.[REVISION_HASH_LABEL] ?? '', /^[bcdfghjklmnpqrstvwxz2456789]+$/, 'labelled with the template hash');
    }
    const ds = await daemonSet('agent');
    assert.deepEqual(
      [ds.status?.desiredNumberScheduled, ds.status?.currentNumberScheduled, ds.status?.numberReady, ds.status?.numberAvailable, ds.status?.updatedNumberScheduled, ds.status?.numberMisscheduled],
      [2, 2, 2, 2, 2, 0],
    );
    assert.equal(ds.status?.observedGeneration, ds.metadata?.generation);
  });

  it('follows node changes: a removed taint adds a pod, a removed label takes one away', async () => {
    await run('taint', 'node', 'node-3', 'dedicated=db:NoSchedule-');
    await readyOn('agent', ['node-1', 'node-2', 'node-3']);
    await run('label', 'node', 'node-1', 'role-');
    await readyOn('agent', ['node-2', 'node-3']);
    await run('label', 'node', 'node-1', 'role=worker');
    await readyOn('agent', ['node-1', 'node-2', 'node-3']);
  });

  it('keeps running on a cordoned node (daemon pods tolerate it)', async () => {
    await run('cordon', 'node-2');
    const pod = (await daemonPods('agent')).find((p) => p.spec?.nodeName === 'node-2');
    assert.ok(pod?.metadata?.name);
    await cluster.core.deleteNamespacedPod({ name: pod.metadata.name, namespace: NS });
    const pods = await readyOn('agent', ['node-1', 'node-2', 'node-3']);
    assert.ok(!pods.some((p) => p.metadata?.name === pod.metadata?.name), 'a new pod replaced the deleted one on the cordoned node');
    await run('uncordon', 'node-2');
  });

  it('`kubectl rollout restart` replaces every pod and `kubectl rollout status` finishes', async () => {
    const before = await readyOn('agent', ['node-1', 'node-2', 'node-3']);
    const oldHash = before[0]?.metadata?.labels?.[REVISION_HASH_LABEL];
    await run('rollout', 'restart', 'ds/agent');
    const status = await run('rollout', 'status', 'ds/agent', '--timeout=50s');
    assert.match(status, /successfully rolled out/);
    const afterRestart = await readyOn('agent', ['node-1', 'node-2', 'node-3']);
    const oldNames = new Set(before.map((p) => p.metadata?.name));
    assert.ok(afterRestart.every((p) => !oldNames.has(p.metadata?.name)), 'every pod was replaced');
    assert.ok(afterRestart.every((p) => p.metadata?.labels?.[REVISION_HASH_LABEL] !== oldHash), 'new pods carry the new template hash');
    const ds = await daemonSet('agent');
    assert.equal(ds.status?.updatedNumberScheduled, 3);
    const events = (await cluster.core.listNamespacedEvent({ namespace: NS, fieldSelector: 'involvedObject.name=agent' })).items;
    assert.ok(events.some((e) => e.reason === 'SuccessfulDelete' && e.source?.component === 'daemonset-controller'));
  });

  it('recreates a deleted pod on its node', async () => {
    const [victim] = await readyOn('agent', ['node-1', 'node-2', 'node-3']);
    assert.ok(victim?.metadata?.name);
    await run('delete', 'pod', victim.metadata.name, '--wait=false');
    const pods = await readyOn('agent', ['node-1', 'node-2', 'node-3']);
    const replacement = pods.find((p) => p.spec?.nodeName === victim.spec?.nodeName);
    assert.notEqual(replacement?.metadata?.name, victim.metadata.name);
  });
});
