import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { explain } from './explain.js';
import { formatExplanation } from './format.js';
import { loadAffinity, node } from './testing.js';

const config = { loadAffinity: [loadAffinity({ matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] })] };
const nodes = [
  node('node-1', { labels: { disk: 'ssd' } }),
  node('node-22', { labels: { disk: 'hdd' }, unschedulable: true }),
];

describe('formatExplanation', () => {
  it('text: the picked entry, the affinity as YAML, a node table with one reason per line, and the count', () => {
    const text = formatExplanation(explain({ config, nodes, storageClass: 'gp3' }), 'text');
    const lines = text.split('\n');
    assert.equal(lines[0], 'entry: loadAffinity[0] (global entry: no entry for storage class "gp3")');
    const yamlEnd = lines.indexOf('');
    const affinity: unknown = parse(lines.slice(2, yamlEnd).join('\n'));
    assert.deepEqual(affinity, explain({ config, nodes, storageClass: 'gp3' }).affinity);
    assert.deepEqual(lines.slice(yamlEnd + 1), [
      'NODE     ELIGIBLE  REASONS',
      'node-1   yes',
      'node-22  no        disk: hdd not in [ssd]',
      '                   cordoned',
      '',
      '1 of 2 nodes eligible',
      '',
    ]);
  });

  it('text: says plainly when no node is eligible', () => {
    const text = formatExplanation(explain({ config, nodes: nodes.slice(1), storageClass: 'gp3' }), 'text');
    assert.ok(text.endsWith('0 of 1 node eligible\nno node is eligible: data-mover pods for storage class "gp3" would stay Pending\n'), text);
    const noClass = formatExplanation(explain({ config, nodes: [] }), 'text');
    assert.ok(noClass.endsWith('no node is eligible: data-mover pods (no storage class given) would stay Pending\n'), noClass);
  });

  it('json: exactly entry, affinity and nodes', () => {
    const result = explain({ config: {}, nodes, storageClass: 'gp3' });
    const json: unknown = JSON.parse(formatExplanation(result, 'json'));
    assert.deepEqual(json, { entry: null, affinity: result.affinity, nodes: result.nodes });
    assert.deepEqual(Object.keys(json as object), ['entry', 'affinity', 'nodes']);
  });
});
