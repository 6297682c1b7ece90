import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { V1DaemonSet } from '@kubernetes/client-node';
import type { Node, Plain } from '../../kube/models.js';
import { node, type Pod } from '../scheduler/testing.js';
import { templateHash } from './hash.js';
import { newDaemonPod, REVISION_HASH_LABEL, TEMPLATE_GENERATION_LABEL } from './pods.js';
import { planDaemonSet, type DaemonSetPlan } from './plan.js';

type DaemonSet = Plain<V1DaemonSet>;
type DsSpec = NonNullable<NonNullable<DaemonSet['spec']>['template']['spec']>;

const NOW = Date.parse('2026-01-01T00:10:00Z');

interface DsExtra {
  /** Template annotations; a DaemonSet given some counts as edited once (generation 2). */
  annotations?: Record<string, string>;
  strategy?: NonNullable<DaemonSet['spec']>['updateStrategy'];
  minReadySeconds?: number;
}

function daemonSet(spec: Partial<DsSpec> = {}, extra: DsExtra = {}): DaemonSet {
  return {
    metadata: { name: 'agent', namespace: 'velero', uid: 'ds-uid', generation: extra.annotations ? 2 : 1 },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: { metadata: { labels: { app: 'agent' }, ...(extra.annotations ? { annotations: extra.annotations } : {}) }, spec: { containers: [{ name: 'c', image: 'ferry' }], ...spec } },
      updateStrategy: extra.strategy ?? { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
      ...(extra.minReadySeconds === undefined ? {} : { minReadySeconds: extra.minReadySeconds }),
    },
  };
}

let podCount = 0;

/** A daemon pod of `ds` on `nodeName`, bound, Running and Ready since `readyAt` (undefined: not ready). */
function daemonPod(ds: DaemonSet, nodeName: string, { readyAt = '2026-01-01T00:00:00Z', phase = 'Running', created = '2026-01-01T00:00:00Z', deleting = false }: { readyAt?: string | null; phase?: string; created?: string; deleting?: boolean } = {}): Pod {
  podCount += 1;
  const built = newDaemonPod(ds, nodeName, templateHash(ds.spec?.template));
  const conditions = readyAt === null ? [] : [{ type: 'Ready', status: 'True', lastTransitionTime: new Date(readyAt) }];
  return {
    ...built,
    metadata: { ...built.metadata, name: `agent-${podCount}`, uid: `pod-${podCount}`, creationTimestamp: new Date(created), ...(deleting ? { deletionTimestamp: new Date(NOW) } : {}) },
    spec: { containers: [], ...built.spec, nodeName },
    status: { phase, conditions },
  };
}

function plan(ds: DaemonSet, nodes: Node[], pods: Pod[] = []): DaemonSetPlan {
  return planDaemonSet({ ds, nodes, pods, now: NOW });
}

const deleted = (p: DaemonSetPlan): string[] => p.delete.map((d) => `${d.node}:${d.reason}`);
const three = [node('n1'), node('n2'), node('n3')];

describe('DaemonSet plan: which nodes get a pod', () => {
  it('one pod per node the template selects', () => {
    const nodes = [node('n1', { labels: { role: 'worker' } }), node('n2', { labels: { role: 'worker' } }), node('n3', { labels: { role: 'control' } })];
    const p = plan(daemonSet({ nodeSelector: { role: 'worker' } }), nodes);
    assert.deepEqual(p.create, ['n1', 'n2']);
    assert.equal(p.status.desiredNumberScheduled, 2);
    assert.equal(p.status.currentNumberScheduled, 0);
  });

  it('required node affinity narrows the nodes too', () => {
    const nodes = [node('n1', { labels: { zone: 'a' } }), node('n2', { labels: { zone: 'b' } })];
    const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] }] } } };
    assert.deepEqual(plan(daemonSet({ affinity }), nodes).create, ['n2']);
  });

  it('untolerated NoSchedule taints keep new pods off; cordon and not-ready NoExecute do not', () => {
    const nodes = [
      node('n1', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }),
      node('n2', { unschedulable: true }),
      node('n3', { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }] }),
    ];
    assert.deepEqual(plan(daemonSet(), nodes).create, ['n2', 'n3']);
    const tolerating = daemonSet({ tolerations: [{ key: 'dedicated', operator: 'Exists' }] });
    assert.deepEqual(plan(tolerating, nodes).create, ['n1', 'n2', 'n3']);
  });

  it('a pod stays on a node that gained a NoSchedule taint but goes when a NoExecute taint is not tolerated', () => {
    const ds = daemonSet();
    const nodes = [node('n1', { taints: [{ key: 'k', effect: 'NoSchedule' }] }), node('n2', { taints: [{ key: 'k', effect: 'NoExecute' }] })];
    const p = plan(ds, nodes, [daemonPod(ds, 'n1'), daemonPod(ds, 'n2')]);
    assert.deepEqual(deleted(p), ['n2:misscheduled']);
    assert.equal(p.status.numberMisscheduled, 2);
    assert.equal(p.status.desiredNumberScheduled, 0);
  });

  it('removes pods from nodes that no longer match and from nodes that are gone', () => {
    const ds = daemonSet({ nodeSelector: { role: 'worker' } });
    const nodes = [node('n1', { labels: { role: 'worker' } }), node('n2')];
    const p = plan(ds, nodes, [daemonPod(ds, 'n1'), daemonPod(ds, 'n2'), daemonPod(ds, 'gone')]);
    assert.deepEqual(deleted(p), ['n2:misscheduled', 'gone:orphaned']);
    assert.deepEqual(p.create, []);
  });

  it('keeps the oldest of duplicate pods and replaces failed ones', () => {
    const ds = daemonSet();
    const old = daemonPod(ds, 'n1', { created: '2026-01-01T00:00:00Z' });
    const young = daemonPod(ds, 'n1', { created: '2026-01-01T00:05:00Z' });
    const failed = daemonPod(ds, 'n2', { phase: 'Failed' });
    const p = plan(ds, [node('n1'), node('n2')], [young, old, failed]);
    assert.deepEqual(
      p.delete.map((d) => [d.pod.metadata?.name, d.reason]),
      [
        [young.metadata?.name, 'duplicate'],
        [failed.metadata?.name, 'failed'],
      ],
    );
    assert.deepEqual(p.create, [], 'the replacement of the failed pod comes once it is gone');
  });

  it('waits for a terminating pod to be gone before creating its replacement', () => {
    const ds = daemonSet();
    const p = plan(ds, three, [daemonPod(ds, 'n1', { deleting: true }), daemonPod(ds, 'n2')]);
    assert.deepEqual(p.create, ['n3']);
    assert.deepEqual(p.delete, []);
  });
});

describe('DaemonSet plan: status', () => {
  it('counts scheduled, ready, available and updated pods, judging each node by its oldest pod', () => {
    const ds = daemonSet({}, { minReadySeconds: 60 });
    const pods = [daemonPod(ds, 'n1'), daemonPod(ds, 'n2', { readyAt: '2026-01-01T00:09:30Z' }), daemonPod(ds, 'n3', { readyAt: null })];
    const p = plan(ds, [...three, node('n4')], pods);
    assert.deepEqual(p.status, {
      currentNumberScheduled: 3,
      desiredNumberScheduled: 4,
      numberMisscheduled: 0,
      numberReady: 2,
      numberAvailable: 1,
      numberUnavailable: 3,
      updatedNumberScheduled: 3,
      observedGeneration: 1,
    });
    assert.equal(p.requeueAfterMs, 60_000, 'looks again when the ready pod becomes available');
  });
});

describe('DaemonSet plan: rolling update', () => {
  const before = daemonSet();
  const after = daemonSet({}, { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-01-01T00:09:00Z' } });
  const oldPods = (): Pod[] => three.map((n) => daemonPod(before, n.metadata?.name ?? ''));

  it('the template hash changes with the template and only with it', () => {
    assert.notEqual(templateHash(before.spec?.template), templateHash(after.spec?.template));
    const reordered = { spec: before.spec?.template.spec, metadata: before.spec?.template.metadata };
    assert.equal(templateHash(reordered), templateHash(before.spec?.template));
    assert.match(templateHash(before.spec?.template), /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  });

  it('replaces one available old pod at a time (maxUnavailable 1)', () => {
    const p = plan(after, three, oldPods());
    assert.deepEqual(deleted(p), ['n1:update']);
    assert.equal(p.status.updatedNumberScheduled, 0);
  });

  it('honours a larger maxUnavailable, as a count or a percentage rounded up', () => {
    const two = daemonSet({}, { annotations: { x: 'y' }, strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } } });
    assert.equal(plan(two, three, oldPods()).delete.length, 2);
    const half = daemonSet({}, { annotations: { x: 'y' }, strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '50%' } } });
    assert.equal(plan(half, three, oldPods()).delete.length, 2);
  });

  it('waits while a new pod is not yet available, but replaces unavailable old pods at once', () => {
    const fresh = daemonPod(after, 'n1', { readyAt: null });
    const p = plan(after, three, [fresh, daemonPod(before, 'n2'), daemonPod(before, 'n3', { readyAt: null })]);
    assert.deepEqual(deleted(p), ['n3:update']);
    assert.equal(p.status.updatedNumberScheduled, 1);
  });

  it('does nothing under OnDelete', () => {
    const onDelete = daemonSet({}, { annotations: { x: 'y' }, strategy: { type: 'OnDelete' } });
    assert.deepEqual(plan(onDelete, three, oldPods()).delete, []);
  });
});

describe('daemon pods', () => {
  it('carry the revision labels, the owner, the daemon tolerations and a node pin', () => {
    const preferred = [{ weight: 1, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } }];
    const ds = daemonSet({
      tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' }, { key: 'mine', operator: 'Exists' }],
      affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: preferred } },
    });
    const { metadata, spec } = newDaemonPod(ds, 'n2', 'abc123');
    assert.ok(metadata !== undefined && spec !== undefined);
    assert.equal(metadata.generateName, 'agent-');
    assert.deepEqual(metadata.labels, { app: 'agent', [REVISION_HASH_LABEL]: 'abc123', [TEMPLATE_GENERATION_LABEL]: '1' });
    assert.deepEqual(metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'ds-uid', controller: true, blockOwnerDeletion: true }]);
    assert.deepEqual(
      spec.tolerations?.map((t) => `${t.key ?? ''}:${t.effect ?? ''}`),
      [
        'node.kubernetes.io/not-ready:NoExecute',
        'mine:',
        'node.kubernetes.io/unreachable:NoExecute',
        'node.kubernetes.io/disk-pressure:NoSchedule',
        'node.kubernetes.io/memory-pressure:NoSchedule',
        'node.kubernetes.io/pid-pressure:NoSchedule',
        'node.kubernetes.io/unschedulable:NoSchedule',
      ],
    );
    assert.deepEqual(spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution, {
      nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n2'] }] }],
    });
    assert.deepEqual(spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution, preferred);
  });
});
