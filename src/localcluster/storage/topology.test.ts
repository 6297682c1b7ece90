import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Node } from '@kubernetes/client-node';
import { HOSTNAME_LABEL, RoundRobin, volumeNodeAffinity, ZONE_LABEL } from './topology.js';

function node(name: string, labels: Record<string, string>, ready = true): V1Node {
  const parsed: unknown = JSON.parse(JSON.stringify({ metadata: { name, labels }, status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } }));
  return parsed as V1Node;
}

const term = (key: string, value: string) => ({ required: { nodeSelectorTerms: [{ matchExpressions: [{ key, operator: 'In', values: [value] }] }] } });

describe('volumeNodeAffinity', () => {
  const zoned = node('node-1', { [HOSTNAME_LABEL]: 'host-a', [ZONE_LABEL]: 'zone-x' });
  const unzoned = node('node-2', {});
  it('pins a hostname volume to the node by its hostname label, or its name without one', () => {
    assert.deepEqual(volumeNodeAffinity('hostname', zoned), term(HOSTNAME_LABEL, 'host-a'));
    assert.deepEqual(volumeNodeAffinity('hostname', unzoned), term(HOSTNAME_LABEL, 'node-2'));
  });
  it('limits a zone volume to the zone, and falls back to the node when it has no zone', () => {
    assert.deepEqual(volumeNodeAffinity('zone', zoned), term(ZONE_LABEL, 'zone-x'));
    assert.deepEqual(volumeNodeAffinity('zone', unzoned), term(HOSTNAME_LABEL, 'node-2'));
  });
  it('sets no affinity for topology none', () => {
    assert.equal(volumeNodeAffinity('none', zoned), undefined);
  });
});

describe('RoundRobin', () => {
  it('cycles through Ready nodes in name order and skips the others', () => {
    const rr = new RoundRobin();
    const nodes = [node('c', {}), node('a', {}), node('b', {}, false)];
    assert.deepEqual([rr.pick(nodes), rr.pick(nodes), rr.pick(nodes)].map((n) => n?.metadata?.name), ['a', 'c', 'a']);
    assert.equal(new RoundRobin().pick([node('x', {}, false)]), undefined);
  });
});
