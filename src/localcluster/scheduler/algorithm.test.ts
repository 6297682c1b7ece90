import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Taint, Toleration } from '../../kube/models.js';
import { req, required } from '../../affinity/testing.js';
import { findNodesThatFit, schedulePod, type ScheduleResult } from './algorithm.js';
import { listers, node, pod, requests, running, snapshot, type Pod, type Storage } from './testing.js';

function fits(p: Pod, nodes: Node[], pods: Pod[] = [], storage?: Storage): string[] {
  const fit = findNodesThatFit(p, snapshot(nodes, pods), listers(storage));
  assert.ok('cycle' in fit, `expected filtering to run, got ${JSON.stringify(fit)}`);
  return fit.feasible.map((i) => i.name);
}

function schedule(p: Pod, nodes: Node[], pods: Pod[] = [], storage?: Storage): ScheduleResult {
  return schedulePod(p, snapshot(nodes, pods), listers(storage));
}

function failure(p: Pod, nodes: Node[], pods: Pod[] = [], storage?: Storage): string {
  const result = schedule(p, nodes, pods, storage);
  assert.notEqual(result.kind, 'scheduled', `expected no node to fit, got ${JSON.stringify(result)}`);
  return result.kind === 'scheduled' ? '' : result.message;
}

const NOT_HELPFUL_3 = 'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.';
const labelled = [node('n1', { labels: { tier: 'gold', cores: '5' } }), node('n2', { labels: { tier: 'silver', cores: '10' } }), node('n3')];

describe('scheduler filters: nodeSelector', () => {
  const rows: { name: string; nodeSelector: Record<string, string>; want: string[] }[] = [
    { name: 'a label only one node has', nodeSelector: { tier: 'gold' }, want: ['n1'] },
    { name: 'a value no node has', nodeSelector: { tier: 'bronze' }, want: [] },
    { name: 'a key no node has', nodeSelector: { gpu: 'true' }, want: [] },
    { name: 'several labels, all required', nodeSelector: { tier: 'silver', 'kubernetes.io/os': 'linux' }, want: ['n2'] },
    { name: 'empty: every node', nodeSelector: {}, want: ['n1', 'n2', 'n3'] },
  ];
  for (const { name, nodeSelector, want } of rows) {
    it(name, () => {
      assert.deepEqual(fits(pod('p', { nodeSelector }), labelled), want);
    });
  }
});

describe('scheduler filters: required node affinity, each operator on nodes with and without the label', () => {
  const rows: { name: string; affinity: ReturnType<typeof required>; want: string[] }[] = [
    { name: 'In: only nodes with one of the values', affinity: required({ matchExpressions: [req('tier', 'In', ['gold'])] }), want: ['n1'] },
    { name: 'In with two values', affinity: required({ matchExpressions: [req('tier', 'In', ['gold', 'silver'])] }), want: ['n1', 'n2'] },
    { name: 'NotIn: nodes without the label match', affinity: required({ matchExpressions: [req('tier', 'NotIn', ['gold'])] }), want: ['n2', 'n3'] },
    { name: 'Exists', affinity: required({ matchExpressions: [req('tier', 'Exists')] }), want: ['n1', 'n2'] },
    { name: 'DoesNotExist', affinity: required({ matchExpressions: [req('tier', 'DoesNotExist')] }), want: ['n3'] },
    { name: 'Gt compares integers, a missing label never matches', affinity: required({ matchExpressions: [req('cores', 'Gt', ['7'])] }), want: ['n2'] },
    { name: 'Lt', affinity: required({ matchExpressions: [req('cores', 'Lt', ['7'])] }), want: ['n1'] },
    { name: 'Gt on a label that is not an integer matches nothing', affinity: required({ matchExpressions: [req('tier', 'Gt', ['1'])] }), want: [] },
    { name: 'matchFields metadata.name In', affinity: required({ matchFields: [req('metadata.name', 'In', ['n3'])] }), want: ['n3'] },
    { name: 'matchFields metadata.name NotIn', affinity: required({ matchFields: [req('metadata.name', 'NotIn', ['n1'])] }), want: ['n2', 'n3'] },
    { name: 'terms are ORed', affinity: required({ matchExpressions: [req('tier', 'In', ['gold'])] }, { matchExpressions: [req('cores', 'Gt', ['7'])] }), want: ['n1', 'n2'] },
    { name: 'requirements in a term are ANDed', affinity: required({ matchExpressions: [req('tier', 'Exists'), req('cores', 'Lt', ['7'])] }), want: ['n1'] },
    { name: 'an empty term matches no node', affinity: required({}), want: [] },
  ];
  for (const { name, affinity, want } of rows) {
    it(name, () => {
      assert.deepEqual(fits(pod('p', { affinity }), labelled), want);
    });
  }

  it('nodeSelector and required affinity must both hold', () => {
    const both = (nodeSelector: Record<string, string>, expr: ReturnType<typeof req>): string[] =>
      fits(pod('p', { nodeSelector, affinity: required({ matchExpressions: [expr] }) }), labelled);
    assert.deepEqual(both({ tier: 'silver' }, req('cores', 'Exists')), ['n2']);
    assert.deepEqual(both({ tier: 'gold' }, req('cores', 'Gt', ['7'])), []);
    assert.equal(
      failure(pod('p', { nodeSelector: { tier: 'gold' }, affinity: required({ matchExpressions: [req('cores', 'Gt', ['7'])] }) }), labelled),
      `0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. ${NOT_HELPFUL_3}`,
    );
  });
});

describe('scheduler filters: taints and tolerations', () => {
  const taint = (key: string, effect: string, value?: string): Taint => (value === undefined ? { key, effect } : { key, value, effect });
  const tainted = [node('n1', { taints: [taint('dedicated', 'NoSchedule', 'db')] }), node('n2', { taints: [taint('x', 'NoExecute')] }), node('n3', { taints: [taint('soft', 'PreferNoSchedule')] })];
  const rows: { name: string; tolerations: Toleration[]; want: string[] }[] = [
    { name: 'no tolerations: NoSchedule and NoExecute keep the pod off, PreferNoSchedule does not', tolerations: [], want: ['n3'] },
    { name: 'Equal with the same value', tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }], want: ['n1', 'n3'] },
    { name: 'Exists ignores the value', tolerations: [{ key: 'dedicated', operator: 'Exists' }], want: ['n1', 'n3'] },
    { name: 'Equal with another value tolerates nothing', tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'web' }], want: ['n3'] },
    { name: 'another effect tolerates nothing', tolerations: [{ key: 'x', operator: 'Exists', effect: 'NoSchedule' }], want: ['n3'] },
    { name: 'NoExecute tolerated', tolerations: [{ key: 'x', operator: 'Exists', effect: 'NoExecute' }], want: ['n2', 'n3'] },
    { name: 'an empty key with Exists tolerates every taint', tolerations: [{ operator: 'Exists' }], want: ['n1', 'n2', 'n3'] },
  ];
  for (const { name, tolerations, want } of rows) {
    it(name, () => {
      assert.deepEqual(fits(pod('p', { tolerations }), tainted), want);
    });
  }

  it('reports the first untolerated taint of each node with its key and value', () => {
    const two = [node('n1', { taints: [taint('dedicated', 'NoSchedule', 'db'), taint('other', 'NoSchedule')] }), node('n2', { taints: [taint('x', 'NoExecute')] })];
    assert.equal(
      failure(pod('p'), two),
      '0/2 nodes are available: 1 node(s) had untolerated taint {dedicated: db}, 1 node(s) had untolerated taint {x: }. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.',
    );
  });

  it('a not-ready node keeps pods off through its taint, not its condition (as kube-scheduler)', () => {
    const notReadyTainted = node('n1', { ready: 'False', taints: [taint('node.kubernetes.io/not-ready', 'NoSchedule')] });
    const notReadyUntainted = node('n2', { ready: 'False' });
    assert.deepEqual(fits(pod('p'), [notReadyTainted, notReadyUntainted]), ['n2']);
    assert.match(failure(pod('p'), [notReadyTainted]), /1 node\(s\) had untolerated taint \{node.kubernetes.io\/not-ready: \}/);
  });
});

describe('scheduler filters: cordon (spec.unschedulable)', () => {
  const nodes = [node('n1', { unschedulable: true }), node('n2'), node('n3')];
  it('keeps pods off a cordoned node', () => {
    assert.deepEqual(fits(pod('p'), nodes), ['n2', 'n3']);
  });
  it('lets a pod that tolerates node.kubernetes.io/unschedulable:NoSchedule on, as DaemonSet pods do', () => {
    const tolerations = [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }];
    assert.deepEqual(fits(pod('p', { tolerations }), nodes), ['n1', 'n2', 'n3']);
  });
  it('counts a cordoned node as unschedulable before looking at its labels (plugin order)', () => {
    const mixed = [node('n1', { unschedulable: true }), node('n2'), node('n3')];
    assert.equal(
      failure(pod('p', { nodeSelector: { tier: 'gold' } }), mixed),
      `0/3 nodes are available: 1 node(s) were unschedulable, 2 node(s) didn't match Pod's node affinity/selector. ${NOT_HELPFUL_3}`,
    );
  });
});

describe('scheduler filters: resources', () => {
  const nodes = [node('n1', { allocatable: { cpu: '2' } }), node('n2'), node('n3', { allocatable: { pods: '1' } })];
  const busy = [running('big', 'n2', requests({ cpu: '3' })), running('only', 'n3')];
  const rows: { name: string; spec: Parameters<typeof pod>[1]; pods?: Pod[]; want: string[] }[] = [
    { name: 'requests against allocatable minus what bound pods request', spec: requests({ cpu: '2' }), pods: busy, want: ['n1'] },
    { name: 'millicores', spec: requests({ cpu: '1500m' }), pods: busy, want: ['n1'] },
    { name: 'a pod that requests nothing only needs a pod slot', spec: {}, pods: busy, want: ['n1', 'n2'] },
    { name: 'finished pods hold nothing', spec: requests({ cpu: '2' }), pods: [{ ...running('done', 'n2', requests({ cpu: '3' })), status: { phase: 'Succeeded' } }], want: ['n1', 'n2', 'n3'] },
    { name: 'a limit without a request counts as the request', spec: { containers: [{ name: 'c', image: 'i', resources: { limits: { cpu: '3' } } }] }, want: ['n2', 'n3'] },
    { name: 'init containers: the largest step counts, not the sum', spec: { ...requests({ cpu: '1' }), initContainers: [{ name: 'i', image: 'i', resources: { requests: { cpu: '3' } } }] }, want: ['n2', 'n3'] },
  ];
  for (const { name, spec, pods = [], want } of rows) {
    it(name, () => {
      assert.deepEqual(fits(pod('p', spec), nodes, pods), want);
    });
  }

  it('names every shortage: Too many pods, Insufficient <resource>', () => {
    assert.equal(
      failure(pod('p', requests({ memory: '20Gi' })), nodes, busy),
      '0/3 nodes are available: 1 Too many pods, 3 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
    );
    assert.equal(
      failure(pod('p', requests({ 'example.com/gpu': '1' })), nodes),
      '0/3 nodes are available: 3 Insufficient example.com/gpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
    );
  });

  it('says when only evicting lower-priority pods would make room (preemption is not carried out)', () => {
    const full = [node('n1', { allocatable: { cpu: '1' } })];
    const low = running('low', 'n1', requests({ cpu: '1' }));
    assert.equal(
      failure(pod('p', { ...requests({ cpu: '1' }), priority: 1000 }), full, [low]),
      '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Preemption is not supported by the local scheduler.',
    );
    assert.equal(
      failure(pod('p', { ...requests({ cpu: '1' }), preemptionPolicy: 'Never' }), full, [low]),
      '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.',
    );
  });
});

describe('scheduler filters: volumes', () => {
  const zoned = [node('n1', { labels: { zone: 'a' } }), node('n2', { labels: { zone: 'b' } }), node('n3', { labels: { zone: 'a' } })];
  const claim = (name: string, storageClassName: string, volumeName?: string) => ({
    metadata: { name, namespace: 'default' },
    spec: { storageClassName, ...(volumeName === undefined ? {} : { volumeName }) },
    status: { phase: volumeName === undefined ? 'Pending' : 'Bound' },
  });
  const withClaim = (claimName: string): Pod => pod('p', { volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }] });
  const classes = [
    { metadata: { name: 'now' }, provisioner: 'ferry.local/hostpath', volumeBindingMode: 'Immediate' },
    { metadata: { name: 'later' }, provisioner: 'ferry.local/hostpath', volumeBindingMode: 'WaitForFirstConsumer' },
    { metadata: { name: 'later-in-a' }, provisioner: 'ferry.local/hostpath', volumeBindingMode: 'WaitForFirstConsumer', allowedTopologies: [{ matchLabelExpressions: [{ key: 'zone', values: ['a'] }] }] },
  ];
  const pinnedVolume = { metadata: { name: 'pv-1' }, spec: { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [req('kubernetes.io/hostname', 'In', ['n2'])] }] } } } };

  it("a bound volume's node affinity decides the node", () => {
    const storage = { claims: [claim('data', 'now', 'pv-1')], volumes: [pinnedVolume], classes };
    assert.deepEqual(fits(withClaim('data'), zoned, [], storage), ['n2']);
    const elsewhere = [node('n1'), node('n3'), node('n4')];
    assert.equal(failure(withClaim('data'), elsewhere, [], storage), `0/3 nodes are available: 3 node(s) had volume node affinity conflict. ${NOT_HELPFUL_3}`);
  });

  it('an unbound Immediate claim makes the pod wait', () => {
    assert.equal(
      failure(withClaim('data'), zoned, [], { claims: [claim('data', 'now')], classes }),
      `0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. ${NOT_HELPFUL_3}`,
    );
  });

  it('a missing claim is named', () => {
    assert.equal(failure(withClaim('gone'), zoned, [], { classes }), `0/3 nodes are available: persistentvolumeclaim "gone" not found. ${NOT_HELPFUL_3}`);
  });

  it('an unbound WaitForFirstConsumer claim is provisioned for the chosen node, within the class topology', () => {
    const anywhere = schedule(withClaim('data'), zoned, [], { claims: [claim('data', 'later')], classes });
    assert.equal(anywhere.kind === 'scheduled' ? anywhere.volumes.toProvision.length : anywhere.message, 1);
    assert.deepEqual(fits(withClaim('data'), zoned, [], { claims: [claim('data', 'later-in-a')], classes }), ['n1', 'n3']);
  });
});

describe('scheduler filters: topology spread constraints', () => {
  const nodes = [node('n1', { labels: { zone: 'a' } }), node('n2', { labels: { zone: 'a' } }), node('n3', { labels: { zone: 'b' } })];
  const web = { app: 'web' };
  const placed = [running('w1', 'n1', {}, web), running('w2', 'n1', {}, web), running('w3', 'n2', {}, web), running('other', 'n3', {}, { app: 'db' })];
  const spread = (topologyKey: string, whenUnsatisfiable: string, maxSkew = 1) => ({
    topologySpreadConstraints: [{ maxSkew, topologyKey, whenUnsatisfiable, labelSelector: { matchLabels: web } }],
  });

  it('DoNotSchedule filters nodes whose domain would exceed maxSkew', () => {
    assert.deepEqual(fits(pod('p', spread('kubernetes.io/hostname', 'DoNotSchedule'), web), nodes, placed), ['n3']);
    assert.deepEqual(fits(pod('p', spread('kubernetes.io/hostname', 'DoNotSchedule', 2), web), nodes, placed), ['n2', 'n3']);
    assert.deepEqual(fits(pod('p', spread('zone', 'DoNotSchedule'), web), nodes, placed), ['n3']);
  });

  it('a node without the topology key is rejected with its own reason', () => {
    const unlabelled = [...nodes, node('n4')];
    assert.ok(!fits(pod('p', spread('zone', 'DoNotSchedule'), web), unlabelled, placed).includes('n4'));
    const message = failure(pod('p', { ...spread('zone', 'DoNotSchedule'), nodeSelector: { 'kubernetes.io/hostname': 'n4' } }, web), unlabelled, placed);
    assert.match(message, /3 node\(s\) didn't match Pod's node affinity\/selector/);
    const onlyUnlabelled = failure(pod('p', spread('zone', 'DoNotSchedule'), web), [node('n4')]);
    assert.equal(onlyUnlabelled, "0/1 nodes are available: 1 node(s) didn't match pod topology spread constraints (missing required label). preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.");
  });

  it('ScheduleAnyway only scores: the emptiest domain wins, no node is filtered', () => {
    assert.deepEqual(fits(pod('p', spread('kubernetes.io/hostname', 'ScheduleAnyway'), web), nodes, placed), ['n1', 'n2', 'n3']);
    const result = schedule(pod('p', spread('kubernetes.io/hostname', 'ScheduleAnyway'), web), nodes, placed);
    assert.equal(result.kind === 'scheduled' ? result.node : result.kind, 'n3');
  });
});

describe('scheduler scoring and choice', () => {
  const nodes = [node('n1', { labels: { disk: 'ssd' } }), node('n2'), node('n3')];
  const chosen = (p: Pod, pods: Pod[] = [], among = nodes): string => {
    const result = schedule(p, among, pods);
    return result.kind === 'scheduled' ? result.node : result.message;
  };

  it('preferred node affinity wins among feasible nodes', () => {
    const affinity = { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, preference: { matchExpressions: [req('disk', 'In', ['ssd'])] } }] } };
    assert.equal(chosen(pod('p', { affinity }), [running('a', 'n1'), running('b', 'n1')]), 'n1');
  });

  it('an untolerated PreferNoSchedule taint is avoided', () => {
    const soft = [node('n1', { taints: [{ key: 'soft', effect: 'PreferNoSchedule' }] }), node('n2')];
    assert.equal(chosen(pod('p'), [], soft), 'n2');
  });

  it('ties go to the node with the fewest pods, then the first name', () => {
    assert.equal(chosen(pod('p')), 'n1');
    assert.equal(chosen(pod('p'), [running('a', 'n1')]), 'n2');
  });

  it('the least allocated node wins', () => {
    assert.equal(chosen(pod('p', requests({ cpu: '1' })), [running('a', 'n1', requests({ cpu: '3' })), running('b', 'n2', requests({ cpu: '1' })), running('c', 'n3', requests({ cpu: '2' }))]), 'n2');
  });
});

describe('scheduler: pods pinned to a node (DaemonSet pods)', () => {
  it('looks only at the named node and reports the others as not satisfying NodeAffinity', () => {
    const nodes = [node('n1', { taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] }), node('n2'), node('n3')];
    const pinned = pod('p', { affinity: required({ matchFields: [req('metadata.name', 'In', ['n1'])] }) });
    assert.equal(
      failure(pinned, nodes),
      `0/3 nodes are available: 1 node(s) had untolerated taint {k: v}, 2 node(s) didn't satisfy plugin(s) [NodeAffinity]. ${NOT_HELPFUL_3}`,
    );
    const other = schedule(pod('q', { affinity: required({ matchFields: [req('metadata.name', 'In', ['n3'])] }) }), nodes);
    assert.equal(other.kind === 'scheduled' ? other.node : other.kind, 'n3');
  });

  it('with no nodes at all, reports the scheduler error', () => {
    assert.deepEqual(schedule(pod('p'), []), { kind: 'error', message: 'no nodes available to schedule pods' });
  });
});
