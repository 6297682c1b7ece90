// The local scheduler against the embedded API server: pods placed through pods/binding by kube-scheduler's rules,
// the exact FailedScheduling message and event, and kubectl label/cordon/taint taking effect on pending pods.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import { MERGE_PATCH } from '../../src/localcluster/kubelet/api.js';
import { waitFor } from '../../src/localcluster/kubelet/testing.js';
import { SELECTED_NODE_ANNOTATION } from '../../src/localcluster/scheduler/index.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { findKubectl, kubectlFor, type Kubectl } from '../support/kubectl.js';

const NS = 'default';
const PREEMPTION_3 = 'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.';
const NODE_MANIFESTS = [
  { metadata: { name: 'node-1', labels: { tier: 'gold', cores: '5' } } },
  { metadata: { name: 'node-2', labels: { tier: 'silver', cores: '10' } } },
  { metadata: { name: 'node-3' } },
];

type Expr = { key: string; operator: string; values?: string[] };

const pin = (node: string): Expr => ({ key: 'metadata.name', operator: 'In', values: [node] });

function affinity(matchExpressions: Expr[], matchFields: Expr[] = []): Record<string, unknown> {
  return { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions, matchFields }] } } };
}

const kubectlFound = findKubectl();

describe('local scheduler', { concurrency: 1, skip: 'skip' in kubectlFound ? kubectlFound.skip : false }, () => {
  let cluster: TestCluster;
  let kubectl: Kubectl;
  let seq = 0;

  const createPod = async (spec: Record<string, unknown>, labels: Record<string, string> = {}): Promise<string> => {
    seq += 1;
    const name = `p${seq}`;
    await cluster.objects.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS, labels }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec } });
    return name;
  };
  const read = (name: string): Promise<V1Pod> => cluster.core.readNamespacedPod({ name, namespace: NS });
  const scheduledCondition = (p: V1Pod) => p.status?.conditions?.find((c) => c.type === 'PodScheduled');
  /** The node the pod was bound to, or the scheduler's message when it could not be placed. */
  const outcome = async (name: string): Promise<string> => {
    const p = await waitFor(
      () => read(name),
      (pod) => Boolean(pod.spec?.nodeName) || scheduledCondition(pod)?.reason === 'Unschedulable',
    );
    return p.spec?.nodeName ?? scheduledCondition(p)?.message ?? '';
  };
  const bound = async (name: string): Promise<string> => (await waitFor(() => read(name), (p) => Boolean(p.spec?.nodeName))).spec?.nodeName ?? '';
  const run = async (...args: string[]): Promise<void> => {
    const r = await kubectl.run(args);
    assert.equal(r.code, 0, r.stderr);
  };
  const eventsFor = async (name: string): Promise<CoreV1Event[]> =>
    (await cluster.core.listNamespacedEvent({ namespace: NS, fieldSelector: `involvedObject.name=${name}` })).items;

  before(async () => {
    cluster = await startTestCluster({ nodes: NODE_MANIFESTS, scheduler: true });
    kubectl = kubectlFor('path' in kubectlFound ? kubectlFound.path : 'kubectl', cluster.kubeconfigPath);
  });
  after(async () => {
    await cluster.stop();
  });

  describe('required node affinity, each operator on nodes with and without the label', () => {
    const rows: { name: string; expr: Expr; want: string[] }[] = [
      { name: 'In', expr: { key: 'tier', operator: 'In', values: ['gold'] }, want: ['node-1'] },
      { name: 'NotIn (nodes without the label match)', expr: { key: 'tier', operator: 'NotIn', values: ['gold'] }, want: ['node-2', 'node-3'] },
      { name: 'Exists', expr: { key: 'tier', operator: 'Exists' }, want: ['node-1', 'node-2'] },
      { name: 'DoesNotExist', expr: { key: 'tier', operator: 'DoesNotExist' }, want: ['node-3'] },
      { name: 'Gt', expr: { key: 'cores', operator: 'Gt', values: ['7'] }, want: ['node-2'] },
      { name: 'Lt', expr: { key: 'cores', operator: 'Lt', values: ['7'] }, want: ['node-1'] },
    ];
    for (const { name, expr, want } of rows) {
      it(name, async () => {
        // One pod per node, pinned there by matchFields and ANDed with the expression: it is bound exactly where the expression holds.
        const pods = await Promise.all(NODE_MANIFESTS.map(({ metadata }) => createPod({ affinity: affinity([expr], [pin(metadata.name)]) })));
        const outcomes = await Promise.all(pods.map(outcome));
        assert.deepEqual(
          outcomes.filter((o) => o.startsWith('node-')),
          want,
        );
        for (const o of outcomes.filter((x) => !x.startsWith('node-'))) {
          assert.equal(o, `0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2 node(s) didn't satisfy plugin(s) [NodeAffinity]. ${PREEMPTION_3}`);
        }
      });
    }
  });

  it('nodeSelector and required affinity together', async () => {
    assert.equal(await outcome(await createPod({ nodeSelector: { tier: 'silver' }, affinity: affinity([{ key: 'cores', operator: 'Exists' }]) })), 'node-2');
    assert.equal(
      await outcome(await createPod({ nodeSelector: { tier: 'gold' }, affinity: affinity([{ key: 'cores', operator: 'Gt', values: ['7'] }]) })),
      `0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. ${PREEMPTION_3}`,
    );
  });

  it('a pending pod schedules once `kubectl label node` adds the label; the failure is recorded as condition and event', async () => {
    const name = await createPod({ nodeSelector: { gpu: 'true' } });
    const message = `0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. ${PREEMPTION_3}`;
    assert.equal(await outcome(name), message);
    const pod = await read(name);
    assert.equal(scheduledCondition(pod)?.status, 'False');
    const failed = await waitFor(
      () => eventsFor(name),
      (events) => events.some((e) => e.reason === 'FailedScheduling'),
    );
    const event = failed.find((e) => e.reason === 'FailedScheduling');
    assert.ok(event !== undefined);
    assert.deepEqual(
      [event.type, event.message, event.reportingComponent, event.source?.component, event.involvedObject.kind, event.involvedObject.uid],
      ['Warning', message, 'default-scheduler', 'default-scheduler', 'Pod', pod.metadata?.uid],
    );

    const labelled = Date.now();
    await run('label', 'node', 'node-2', 'gpu=true');
    assert.equal(await bound(name), 'node-2');
    assert.ok(Date.now() - labelled < 3_000, `bound ${Date.now() - labelled} ms after the label`);
    const scheduled = await waitFor(
      () => eventsFor(name),
      (events) => events.some((e) => e.reason === 'Scheduled'),
    );
    assert.equal(scheduled.find((e) => e.reason === 'Scheduled')?.message, `Successfully assigned ${NS}/${name} to node-2`);
    await run('label', 'node', 'node-2', 'gpu-');
  });

  it('`kubectl cordon` keeps new pods off at once and `uncordon` lets the waiting pod on', async () => {
    await run('cordon', 'node-1');
    const name = await createPod({ affinity: affinity([], [pin('node-1')]) });
    assert.equal(await outcome(name), `0/3 nodes are available: 1 node(s) were unschedulable, 2 node(s) didn't satisfy plugin(s) [NodeAffinity]. ${PREEMPTION_3}`);
    const tolerating = await createPod({ affinity: affinity([], [pin('node-1')]), tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] });
    assert.equal(await outcome(tolerating), 'node-1');
    await run('uncordon', 'node-1');
    assert.equal(await bound(name), 'node-1');
  });

  it('`kubectl taint` keeps pods that do not tolerate it off; removing the taint lets them on', async () => {
    await run('taint', 'node', 'node-3', 'dedicated=db:NoSchedule');
    const name = await createPod({ affinity: affinity([], [pin('node-3')]) });
    assert.equal(await outcome(name), `0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: db}, 2 node(s) didn't satisfy plugin(s) [NodeAffinity]. ${PREEMPTION_3}`);
    const tolerating = await createPod({ affinity: affinity([], [pin('node-3')]), tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }] });
    assert.equal(await outcome(tolerating), 'node-3');
    await run('taint', 'node', 'node-3', 'dedicated=db:NoSchedule-');
    assert.equal(await bound(name), 'node-3');
  });

  it('counts the requests of bound pods against allocatable; a deletion frees room', async () => {
    const big = { containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '3' } } }] };
    const first = await createPod({ ...big, nodeSelector: { 'kubernetes.io/hostname': 'node-2' } });
    assert.equal(await outcome(first), 'node-2');
    const second = await createPod({ ...big, nodeSelector: { 'kubernetes.io/hostname': 'node-2' } });
    assert.equal(
      await outcome(second),
      "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.",
    );
    await cluster.core.deleteNamespacedPod({ name: first, namespace: NS, gracePeriodSeconds: 0 });
    assert.equal(await bound(second), 'node-2');
  });

  it('leaves pods that name their node or another scheduler alone', async () => {
    const named = await createPod({ nodeName: 'node-3' });
    const other = await createPod({ schedulerName: 'someone-else' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(scheduledCondition(await read(named)), undefined);
    const untouched = await read(other);
    assert.equal(untouched.spec?.nodeName, undefined);
    assert.equal(scheduledCondition(untouched), undefined);
    assert.deepEqual(await eventsFor(other), []);
  });

  describe('volumes', () => {
    before(async () => {
      for (const [name, mode] of [
        ['test-immediate', 'Immediate'],
        ['test-wffc', 'WaitForFirstConsumer'],
      ] as const) {
        await cluster.objects.create({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name }, provisioner: 'test.ferry.local', volumeBindingMode: mode });
      }
    });
    const claim = async (name: string, storageClassName: string): Promise<void> => {
      await cluster.objects.create({
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name, namespace: NS },
        spec: { storageClassName, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      });
    };
    const withClaim = (claimName: string): Record<string, unknown> => ({ volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }] });

    it('an unbound Immediate claim keeps the pod pending with the scheduler message', async () => {
      await claim('immediate', 'test-immediate');
      assert.equal(await outcome(await createPod(withClaim('immediate'))), `0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. ${PREEMPTION_3}`);
    });

    it('a WaitForFirstConsumer claim gets the selected-node annotation, and the pod is bound once the claim is', async () => {
      await claim('wffc', 'test-wffc');
      const name = await createPod({ ...withClaim('wffc'), nodeSelector: { tier: 'gold' } });
      // What a provisioner does: provision on the selected node, then bind the claim.
      const annotated = await waitFor(
        () => cluster.core.readNamespacedPersistentVolumeClaim({ name: 'wffc', namespace: NS }),
        (c) => c.metadata?.annotations?.[SELECTED_NODE_ANNOTATION] !== undefined,
      );
      const node = annotated.metadata?.annotations?.[SELECTED_NODE_ANNOTATION] ?? '';
      assert.equal(node, 'node-1');
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal((await read(name)).spec?.nodeName, undefined, 'not bound before its claim is');
      await cluster.objects.create({
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name: 'pv-wffc' },
        spec: {
          capacity: { storage: '1Gi' },
          accessModes: ['ReadWriteOnce'],
          storageClassName: 'test-wffc',
          hostPath: { path: '/tmp/pv-wffc' },
          claimRef: { namespace: NS, name: 'wffc' },
          nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } },
        },
      });
      await cluster.core.patchNamespacedPersistentVolumeClaim({ name: 'wffc', namespace: NS, body: { spec: { volumeName: 'pv-wffc' } } }, MERGE_PATCH);
      await cluster.core.patchNamespacedPersistentVolumeClaimStatus({ name: 'wffc', namespace: NS, body: { status: { phase: 'Bound' } } }, MERGE_PATCH);
      assert.equal(await bound(name), 'node-1');
    });

    it("a bound volume's node affinity decides where the next pod using it goes", async () => {
      assert.equal(await outcome(await createPod(withClaim('wffc'))), 'node-1');
      assert.equal(
        await outcome(await createPod({ ...withClaim('wffc'), nodeSelector: { tier: 'silver' } })),
        `0/3 nodes are available: 1 node(s) had volume node affinity conflict, 2 node(s) didn't match Pod's node affinity/selector. ${PREEMPTION_3}`,
      );
    });
  });
});
