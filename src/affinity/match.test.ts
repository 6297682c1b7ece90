import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compilePlacement, evaluateNode, matchNodeSelectorTerms, type PodPlacement } from './match.js';
import { node, req, required } from './testing.js';
import type { Affinity, NodeSelectorRequirement, NodeSelectorTerm } from '../kube/models.js';

/** The reason messages for a pod whose affinity is the given terms. */
function affinityReasons(terms: NodeSelectorTerm[], labels: Record<string, string>, name = 'node-x'): string[] {
  return evaluateNode({ affinity: required(...terms) }, node(name, { labels })).reasons.map((r) => r.message);
}

describe('node affinity operators, on nodes with and without the label', () => {
  const rows: { name: string; req: NodeSelectorRequirement; labels: Record<string, string>; reason: string | null }[] = [
    { name: 'In, value listed', req: req('zone', 'In', ['a', 'b']), labels: { zone: 'a' }, reason: null },
    { name: 'In, value not listed', req: req('zone', 'In', ['a', 'b']), labels: { zone: 'c' }, reason: 'zone: c not in [a b]' },
    { name: 'In, label missing', req: req('zone', 'In', ['a', 'b']), labels: {}, reason: 'zone: label missing (In [a b])' },
    { name: 'In, empty value listed', req: req('zone', 'In', ['']), labels: { zone: '' }, reason: null },
    { name: 'NotIn, value listed', req: req('zone', 'NotIn', ['a', 'b']), labels: { zone: 'b' }, reason: 'zone: b is in [a b] (NotIn)' },
    { name: 'NotIn, value not listed', req: req('zone', 'NotIn', ['a', 'b']), labels: { zone: 'c' }, reason: null },
    { name: 'NotIn, label missing matches', req: req('zone', 'NotIn', ['a', 'b']), labels: {}, reason: null },
    { name: 'Exists, label present', req: req('gpu', 'Exists'), labels: { gpu: 'true' }, reason: null },
    { name: 'Exists, label present with an empty value', req: req('gpu', 'Exists'), labels: { gpu: '' }, reason: null },
    { name: 'Exists, label missing', req: req('gpu', 'Exists'), labels: {}, reason: 'gpu: label missing (Exists)' },
    { name: 'DoesNotExist, label present', req: req('xxx/critial-workload', 'DoesNotExist'), labels: { 'xxx/critial-workload': 'true' }, reason: 'has label xxx/critial-workload (DoesNotExist)' },
    { name: 'DoesNotExist, label missing matches', req: req('xxx/critial-workload', 'DoesNotExist'), labels: {}, reason: null },
    { name: 'Gt, greater', req: req('cores', 'Gt', ['4']), labels: { cores: '8' }, reason: null },
    { name: 'Gt, equal is not greater', req: req('cores', 'Gt', ['4']), labels: { cores: '4' }, reason: 'cores: 4 is not greater than 4' },
    { name: 'Gt, label missing', req: req('cores', 'Gt', ['4']), labels: {}, reason: 'cores: label missing (Gt 4)' },
    { name: 'Gt, non-integer node value', req: req('cores', 'Gt', ['4']), labels: { cores: '8.5' }, reason: 'cores: "8.5" is not an integer (Gt 4)' },
    { name: 'Gt, node value beyond int64', req: req('cores', 'Gt', ['4']), labels: { cores: '9223372036854775808' }, reason: 'cores: "9223372036854775808" is not an integer (Gt 4)' },
    { name: 'Gt, int64 maximum', req: req('cores', 'Gt', ['9223372036854775806']), labels: { cores: '9223372036854775807' }, reason: null },
    { name: 'Gt, leading zeros are base 10', req: req('cores', 'Gt', ['7']), labels: { cores: '010' }, reason: null },
    { name: 'Lt, less', req: req('cores', 'Lt', ['4']), labels: { cores: '2' }, reason: null },
    { name: 'Lt, not less', req: req('cores', 'Lt', ['4']), labels: { cores: '16' }, reason: 'cores: 16 is not less than 4' },
    { name: 'Lt, label missing', req: req('cores', 'Lt', ['4']), labels: {}, reason: 'cores: label missing (Lt 4)' },
    { name: 'Lt, non-integer node value', req: req('cores', 'Lt', ['4']), labels: { cores: 'two' }, reason: 'cores: "two" is not an integer (Lt 4)' },
  ];
  for (const row of rows) {
    it(row.name, () => {
      assert.deepEqual(affinityReasons([{ matchExpressions: [row.req] }], row.labels), row.reason === null ? [] : [row.reason]);
    });
  }
});

describe('terms and requirements', () => {
  const hostIn = req('kubernetes.io/hostname', 'In', ['node-1', 'node-2']);
  const fast = req('disk', 'In', ['ssd']);

  it('ANDs requirements in a term and lists every one that fails', () => {
    assert.deepEqual(affinityReasons([{ matchExpressions: [hostIn, fast] }], { disk: 'hdd' }, 'node-4'), [
      'kubernetes.io/hostname: node-4 not in [node-1 node-2]',
      'disk: hdd not in [ssd]',
    ]);
  });

  it('ORs terms: one matching term is enough', () => {
    assert.deepEqual(affinityReasons([{ matchExpressions: [hostIn] }, { matchExpressions: [fast] }], { disk: 'ssd' }, 'node-4'), []);
  });

  it('names the term each reason belongs to when there are several', () => {
    assert.deepEqual(affinityReasons([{ matchExpressions: [hostIn] }, { matchExpressions: [fast] }], {}, 'node-4'), [
      'term[0]: kubernetes.io/hostname: node-4 not in [node-1 node-2]',
      'term[1]: disk: label missing (In [ssd])',
    ]);
  });

  it('cuts long value lists in reasons', () => {
    const hosts = Array.from({ length: 200 }, (_, i) => `node-${i}`);
    assert.deepEqual(affinityReasons([{ matchExpressions: [req('kubernetes.io/hostname', 'In', hosts)] }], {}, 'node-x'), [
      'kubernetes.io/hostname: node-x not in [node-0 node-1 node-2 node-3 node-4 node-5 node-6 node-7 node-8 node-9 … and 190 more]',
    ]);
    const twelve = hosts.slice(0, 12);
    assert.deepEqual(affinityReasons([{ matchExpressions: [req('kubernetes.io/hostname', 'In', twelve)] }], {}, 'node-x'), [
      `kubernetes.io/hostname: node-x not in [${twelve.join(' ')}]`,
    ]);
  });

  it('shows an empty value as ""', () => {
    assert.deepEqual(affinityReasons([{ matchExpressions: [req('tier', 'In', ['', 'gold'])] }], { tier: 'silver' }), ['tier: silver not in ["" gold]']);
  });

  it('an empty term matches no node', () => {
    assert.deepEqual(affinityReasons([{}], {}), ['empty term (matches no node)']);
    assert.deepEqual(affinityReasons([{ matchExpressions: [], matchFields: [] }], {}), ['empty term (matches no node)']);
  });

  it('an empty term does not stop another term from matching', () => {
    assert.deepEqual(affinityReasons([{}, { matchExpressions: [fast] }], { disk: 'ssd' }), []);
  });

  it('a required affinity without terms matches no node', () => {
    assert.deepEqual(affinityReasons([], {}), ['required node affinity has no terms (matches no node)']);
  });

  describe('lazy parse errors: a bad term matches nothing, other terms still count', () => {
    const bad: { name: string; req: NodeSelectorRequirement; error: string }[] = [
      { name: 'unknown operator', req: req('disk', 'in', ['ssd']), error: 'disk: "in" is not a valid operator (use In, NotIn, Exists, DoesNotExist, Gt or Lt)' },
      { name: 'In without values', req: req('disk', 'In', []), error: 'disk: In needs at least one value' },
      { name: 'NotIn without values', req: req('disk', 'NotIn'), error: 'disk: NotIn needs at least one value' },
      { name: 'DoesNotExist with values (Velero unit test input)', req: req('key-4', 'DoesNotExist', ['value-4-1']), error: 'key-4: DoesNotExist takes no values, got [value-4-1]' },
      { name: 'Gt with a non-integer value', req: req('cores', 'Gt', ['four']), error: 'cores: Gt value "four" is not an integer' },
      { name: 'Lt with a decimal value', req: req('cores', 'Lt', ['1.5']), error: 'cores: Lt value "1.5" is not an integer' },
      { name: 'Gt with two values', req: req('cores', 'Gt', ['1', '2']), error: 'cores: Gt needs exactly one value, got [1 2]' },
      {
        name: 'Gt with a negative bound (not a valid label value)',
        req: req('cores', 'Gt', ['-1']),
        error: 'cores: "-1" is not a valid label value (at most 63 characters: letters, digits, \'-\', \'_\', \'.\'; alphanumeric at both ends)',
      },
      { name: 'invalid key', req: req('a/b/c', 'Exists'), error: 'a/b/c: invalid label key' },
    ];
    for (const row of bad) {
      it(row.name, () => {
        const [reason = ''] = affinityReasons([{ matchExpressions: [row.req] }], { disk: 'ssd', cores: '8' });
        assert.ok(reason.startsWith(`invalid term (matches no node): ${row.error}`), reason);
        assert.deepEqual(affinityReasons([{ matchExpressions: [row.req] }, { matchExpressions: [fast] }], { disk: 'ssd', cores: '8' }), []);
      });
    }
  });

  describe('matchFields (metadata.name)', () => {
    const nameIn: NodeSelectorTerm = { matchFields: [req('metadata.name', 'In', ['node-1'])] };
    const nameNotIn: NodeSelectorTerm = { matchFields: [req('metadata.name', 'NotIn', ['node-1'])] };
    it('In', () => {
      assert.deepEqual(affinityReasons([nameIn], {}, 'node-1'), []);
      assert.deepEqual(affinityReasons([nameIn], {}, 'node-2'), ['metadata.name: node-2 not in [node-1]']);
    });
    it('NotIn', () => {
      assert.deepEqual(affinityReasons([nameNotIn], {}, 'node-2'), []);
      assert.deepEqual(affinityReasons([nameNotIn], {}, 'node-1'), ['metadata.name: node-1 is in [node-1] (NotIn)']);
    });
    it('is ANDed with matchExpressions of the same term', () => {
      const term: NodeSelectorTerm = { matchExpressions: [fast], matchFields: [req('metadata.name', 'In', ['node-1'])] };
      assert.deepEqual(affinityReasons([term], { disk: 'ssd' }, 'node-1'), []);
      assert.deepEqual(affinityReasons([term], { disk: 'hdd' }, 'node-2'), ['disk: hdd not in [ssd]', 'metadata.name: node-2 not in [node-1]']);
    });
    it('rejects other fields, operators and value counts (term matches nothing)', () => {
      const cases: [NodeSelectorRequirement, string][] = [
        [req('metadata.namespace', 'In', ['x']), 'matchFields: "metadata.namespace" is not supported (only metadata.name)'],
        [req('metadata.name', 'Exists', ['node-1']), 'metadata.name: "Exists" is not a valid operator in matchFields (use In or NotIn)'],
        [req('metadata.name', 'In', ['node-1', 'node-2']), 'metadata.name: matchFields needs exactly one value, got 2'],
      ];
      for (const [field, error] of cases) {
        assert.deepEqual(affinityReasons([{ matchFields: [field] }], {}, 'node-1'), [`invalid term (matches no node): ${error}`]);
      }
    });
  });

  it('matchNodeSelectorTerms answers the affinity question alone', () => {
    const n = node('node-1', { labels: { disk: 'ssd' }, unschedulable: true, ready: 'False' });
    assert.equal(matchNodeSelectorTerms([{ matchExpressions: [fast] }], n), true);
    assert.equal(matchNodeSelectorTerms([{ matchExpressions: [req('disk', 'In', ['hdd'])] }, {}], n), false);
    assert.equal(matchNodeSelectorTerms([{}, { matchFields: [req('metadata.name', 'In', ['node-1'])] }], n), true);
    assert.equal(matchNodeSelectorTerms([], n), false);
  });
});

describe('evaluateNode', () => {
  const disk: Affinity = required({ matchExpressions: [req('disk', 'In', ['ssd'])] });

  it('a pod without constraints fits every ready, uncordoned, untainted node', () => {
    assert.deepEqual(evaluateNode({}, node('node-1')), { eligible: true, reasons: [] });
  });

  it('ignores preferred affinity', () => {
    const affinity: Affinity = {
      nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, preference: { matchExpressions: [req('disk', 'In', ['ssd'])] } }] },
    };
    assert.equal(evaluateNode({ affinity }, node('node-1')).eligible, true);
  });

  it('requires spec.nodeSelector AND the node affinity', () => {
    const pod: PodPlacement = { nodeSelector: { 'kubernetes.io/hostname': 'node-1', pool: 'data' }, affinity: disk };
    assert.equal(evaluateNode(pod, node('node-1', { labels: { pool: 'data', disk: 'ssd' } })).eligible, true);
    assert.deepEqual(evaluateNode(pod, node('node-2', { labels: { disk: 'hdd' } })).reasons, [
      { kind: 'nodeSelector', message: 'kubernetes.io/hostname: node-2, nodeSelector wants node-1' },
      { kind: 'nodeSelector', message: 'pool: label missing (nodeSelector wants data)' },
      { kind: 'nodeAffinity', message: 'disk: hdd not in [ssd]' },
    ]);
  });

  it('a cordoned node is not eligible unless the pod tolerates node.kubernetes.io/unschedulable', () => {
    const cordoned = node('node-1', { unschedulable: true });
    assert.deepEqual(evaluateNode({}, cordoned), { eligible: false, reasons: [{ kind: 'unschedulable', message: 'cordoned' }] });
    const tolerations = [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }];
    assert.equal(evaluateNode({ tolerations }, cordoned).eligible, true);
  });

  it('a node whose Ready condition is not True is not eligible', () => {
    const reasons = (ready: string | null) => evaluateNode({}, node('n', { ready })).reasons;
    assert.deepEqual(reasons('False'), [{ kind: 'notReady', message: 'not ready' }]);
    assert.deepEqual(reasons('Unknown'), [{ kind: 'notReady', message: 'not ready (Ready=Unknown)' }]);
    assert.deepEqual(reasons(null), [{ kind: 'notReady', message: 'not ready (no Ready condition)' }]);
  });

  it('untolerated NoSchedule/NoExecute taints block; tolerated and PreferNoSchedule ones do not', () => {
    const tainted = node('node-1', {
      taints: [
        { key: 'dedicated', value: 'db', effect: 'NoSchedule' },
        { key: 'spot', effect: 'PreferNoSchedule' },
        { key: 'maintenance', effect: 'NoExecute' },
      ],
    });
    assert.deepEqual(evaluateNode({}, tainted).reasons, [
      { kind: 'taint', message: 'untolerated taint dedicated=db:NoSchedule' },
      { kind: 'taint', message: 'untolerated taint maintenance:NoExecute' },
    ]);
    const tolerations = [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }, { key: 'maintenance', operator: 'Exists' }];
    assert.deepEqual(evaluateNode({ tolerations }, tainted), { eligible: true, reasons: [] });
  });

  it('reports every reason at once', () => {
    const n = node('node-9', { labels: { disk: 'hdd' }, unschedulable: true, ready: 'False', taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] });
    assert.deepEqual(
      evaluateNode({ affinity: disk }, n).reasons.map((r) => r.kind),
      ['nodeAffinity', 'unschedulable', 'taint', 'notReady'],
    );
  });

  it('a compiled placement gives the same verdicts for many nodes', () => {
    const placement = compilePlacement({ affinity: disk });
    const nodes = [node('a', { labels: { disk: 'ssd' } }), node('b'), node('c', { labels: { disk: 'ssd' } })];
    assert.deepEqual(nodes.map((n) => placement.evaluate(n).eligible), [true, false, true]);
  });
});
