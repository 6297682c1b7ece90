import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Node } from '@kubernetes/client-node';
import type { Node } from '../../kube/models.js';
import { node } from '../../affinity/testing.js';
import { conditionTaints, reconcileTaints } from './lifecycle.js';

function withConditions(base: Node, conditions: Record<string, string>): Node {
  return { ...base, status: { conditions: Object.entries(conditions).map(([type, status]) => ({ type, status })) } };
}

const keys = (n: V1Node): string[] => conditionTaints(n).map((t) => `${t.key}:${t.effect}`);

describe('node condition taints', () => {
  const rows: { name: string; node: Node; want: string[] }[] = [
    { name: 'a healthy node has none', node: node('n'), want: [] },
    { name: 'Ready False is not-ready', node: node('n', { ready: 'False' }), want: ['node.kubernetes.io/not-ready:NoSchedule'] },
    { name: 'Ready Unknown is unreachable', node: node('n', { ready: 'Unknown' }), want: ['node.kubernetes.io/unreachable:NoSchedule'] },
    { name: 'no Ready condition is unreachable', node: node('n', { ready: null }), want: ['node.kubernetes.io/unreachable:NoSchedule'] },
    { name: 'a cordoned node', node: node('n', { unschedulable: true }), want: ['node.kubernetes.io/unschedulable:NoSchedule'] },
    {
      name: 'pressure conditions',
      node: withConditions(node('n'), { Ready: 'True', MemoryPressure: 'True', DiskPressure: 'True', PIDPressure: 'False' }),
      want: ['node.kubernetes.io/memory-pressure:NoSchedule', 'node.kubernetes.io/disk-pressure:NoSchedule'],
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      assert.deepEqual(keys(row.node), row.want);
    });
  }

  it('replaces only the managed NoSchedule taints and leaves the others', () => {
    const own = { key: 'dedicated', value: 'db', effect: 'NoSchedule' };
    const stale = { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' };
    const eviction = { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' };
    assert.deepEqual(reconcileTaints(node('n', { taints: [own, stale, eviction] })), [own, eviction]);
    assert.deepEqual(reconcileTaints(node('n', { unschedulable: true, taints: [own] })), [own, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }]);
    assert.equal(reconcileTaints(node('n', { ready: 'False', taints: [own, stale] })), undefined, 'nothing to change');
  });
});
