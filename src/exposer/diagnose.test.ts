import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dataMoverPodAffinity, loadNodesFile } from '../affinity/index.js';
import { loadAffinity, req } from '../affinity/testing.js';
import type { LoadAffinity } from '../config/types.js';
import type { Node, Pod } from '../kube/models.js';
import { diagnosePlacement } from './diagnose.js';

const SEED = loadAffinity({
  matchLabels: { 'beta.kubernetes.io/instance-type': 'Standard_B4ms' },
  matchExpressions: [req('kubernetes.io/hostname', 'In', ['node-1', 'node-2', 'node-3']), req('xxx/critial-workload', 'DoesNotExist')],
});

let nodes: Node[];
const ALL_AGENTS = new Set(['node-1', 'node-2', 'node-3', 'node-4', 'node-5']);

function pendingPod(entry: LoadAffinity, schedulerMessage?: string): Pod {
  return {
    metadata: { name: 'b-1', namespace: 'velero' },
    spec: { containers: [], affinity: dataMoverPodAffinity(entry), volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'b-1' } }] },
    status: {
      phase: 'Pending',
      ...(schedulerMessage === undefined ? {} : { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: schedulerMessage }] }),
    },
  };
}

function withNode(name: string, change: (n: Node) => void): Node[] {
  return nodes.map((n) => {
    if (n.metadata?.name !== name) return n;
    const copy = structuredClone(n);
    change(copy);
    return copy;
  });
}

describe('diagnosePlacement', () => {
  before(async () => {
    nodes = await loadNodesFile(new URL('../../test/fixtures/nodes/seed-nodes.yaml', import.meta.url).pathname);
  });

  it('names the requirement that excludes each group of nodes when none matches', () => {
    const entry = loadAffinity({ matchLabels: { 'beta.kubernetes.io/instance-type': 'Standard_E8' } });
    const message = diagnosePlacement({ pod: pendingPod(entry), nodes, nodeAgentNodes: ALL_AGENTS, rule: 'loadAffinity[0]' });
    assert.equal(
      message,
      'data-mover pod velero/b-1 cannot be placed: no node matches its node affinity (loadAffinity[0]): node-1, node-2, node-3, node-4, node-5: beta.kubernetes.io/instance-type In [Standard_E8]',
    );
  });

  it('says the pod waits, not that it cannot be placed, while its PVC is still being provisioned', () => {
    const scheduler = '0/5 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/5 nodes are available: 5 Preemption is not helpful for scheduling.';
    const message = diagnosePlacement({ pod: pendingPod(SEED, scheduler), nodes, nodeAgentNodes: ALL_AGENTS, rule: 'loadAffinity[0]' });
    assert.equal(message, 'data-mover pod velero/b-1 waits for its PVC velero/b-1 to be provisioned and bound');
  });

  it('says when the pod\'s volume was provisioned on nodes the affinity excludes (an Immediate class)', () => {
    const scheduler = '0/5 nodes are available: 1 node(s) had volume node affinity conflict, 4 node(s) didn\'t match Pod\'s node affinity/selector.';
    const message = diagnosePlacement({ pod: pendingPod(SEED, scheduler), nodes, nodeAgentNodes: ALL_AGENTS, rule: 'loadAffinity[0]' }) ?? '';
    assert.match(message, /^data-mover pod velero\/b-1 cannot be placed: its volume is reachable only from nodes its node affinity \(loadAffinity\[0\]\) excludes: .* give it a WaitForFirstConsumer class/);
    assert.ok(message.endsWith(`(scheduler: ${scheduler})`), message);
  });

  it('groups the seed sample\'s nodes by what they fail once node-1 is cordoned away', () => {
    const cordonedAll = withNode('node-1', (n) => {
      n.metadata = { ...n.metadata, labels: { ...n.metadata?.labels, 'xxx/critial-workload': 'true' } };
    });
    const message = diagnosePlacement({ pod: pendingPod(SEED, '0/5 nodes are available: 5 node(s) didn\'t match Pod\'s node affinity/selector.'), nodes: cordonedAll, nodeAgentNodes: ALL_AGENTS, rule: 'loadAffinity[0]' }) ?? '';
    assert.match(message, /no node matches its node affinity \(loadAffinity\[0\]\): node-1, node-2: xxx\/critial-workload DoesNotExist; /);
    assert.match(message, /node-3: beta\.kubernetes\.io\/instance-type In \[Standard_B4ms\];/);
    assert.match(message, /node-4: kubernetes\.io\/hostname In \[node-1 node-2 node-3\];/);
    assert.match(message, /node-5: beta\.kubernetes\.io\/instance-type In \[Standard_B4ms\] and kubernetes\.io\/hostname In \[node-1 node-2 node-3\]/);
    assert.match(message, /\(scheduler: 0\/5 nodes are available: 5 node\(s\) didn't match Pod's node affinity\/selector\.\)$/);
  });

  it('says when the only matching node is cordoned or tainted', () => {
    const cordoned = withNode('node-1', (n) => {
      n.spec = { ...n.spec, unschedulable: true };
    });
    assert.match(diagnosePlacement({ pod: pendingPod(SEED), nodes: cordoned, nodeAgentNodes: ALL_AGENTS, rule: 'r' }) ?? '', /every node matching its node affinity \(r\) is unavailable: node-1: cordoned$/);
    const tainted = withNode('node-1', (n) => {
      n.spec = { ...n.spec, taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] };
    });
    assert.match(diagnosePlacement({ pod: pendingPod(SEED), nodes: tainted, nodeAgentNodes: ALL_AGENTS, rule: 'r' }) ?? '', /node-1: untolerated taint dedicated=db:NoSchedule$/);
  });

  it('says when the matching nodes run no node-agent, before and after placement', () => {
    const noAgent = new Set(['node-2', 'node-3']);
    assert.match(diagnosePlacement({ pod: pendingPod(SEED), nodes, nodeAgentNodes: noAgent, rule: 'r' }) ?? '', /the nodes matching its node affinity \(r\) run no ready node-agent: node-1$/);
    const placed = pendingPod(SEED);
    placed.spec = { ...placed.spec, containers: [], nodeName: 'node-1' };
    assert.match(diagnosePlacement({ pod: placed, nodes, nodeAgentNodes: noAgent, rule: 'r' }) ?? '', /was placed on node node-1, where no node-agent is ready to start it/);
    assert.equal(diagnosePlacement({ pod: placed, nodes, nodeAgentNodes: ALL_AGENTS, rule: 'r' }), undefined);
  });

  it('has nothing to say while an eligible pod waits for the scheduler, and passes on the scheduler\'s reason otherwise', () => {
    assert.equal(diagnosePlacement({ pod: pendingPod(SEED), nodes, nodeAgentNodes: ALL_AGENTS, rule: 'r' }), undefined);
    assert.match(diagnosePlacement({ pod: pendingPod(SEED, '0/5 nodes are available: 1 Insufficient cpu.'), nodes, nodeAgentNodes: ALL_AGENTS, rule: 'r' }) ?? '', /\(scheduler: 0\/5 nodes are available: 1 Insufficient cpu\.\)$/);
  });
});
