import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LoadConcurrency } from '../config/types.js';
import { loadConcurrencyForNode } from './concurrency.js';
import { formatLabelSelector, parseLabelSelector } from './label-selector.js';
import type { Node } from '../kube/models.js';

const DEFAULT = 100001;
const bare: Node = { metadata: { name: 'node-agent-node' } };
const labelled: Node = { metadata: { name: 'node-agent-node', labels: { 'host-name': 'node-1', xxxx: 'yyyyy' } } };
const rule = (matchLabels: Record<string, string>, number: number) => ({ nodeSelector: { matchLabels }, number });
const hostRule = (number: number) => rule({ 'host-name': 'node-1' }, number);
const xxxxRule = (number: number) => rule({ xxxx: 'yyyyy' }, number);

describe('loadConcurrencyForNode (Velero Test_getDataPathConcurrentNum)', () => {
  const rows: { name: string; lc: LoadConcurrency | undefined; node: Node | undefined; number: number; reason: RegExp }[] = [
    { name: 'no loadConcurrency', lc: undefined, node: bare, number: DEFAULT, reason: /^Concurrency configs are not found, use the default number 100001$/ },
    { name: 'invalid global number', lc: { globalConfig: -1 }, node: bare, number: DEFAULT, reason: /^Global number -1 is invalid, use the default value 100001;/ },
    { name: 'global number', lc: { globalConfig: 6 }, node: bare, number: 6, reason: /use the global number 6$/ },
    {
      name: 'node cannot be read',
      lc: { globalConfig: 6, perNodeConfig: [hostRule(66)] },
      node: undefined,
      number: 6,
      reason: /^Failed to get node info, use the global number 6$/,
    },
    {
      name: 'invalid selector is skipped',
      lc: { globalConfig: 6, perNodeConfig: [rule({ 'inva/lid': 'inva/lid' }, 66)] },
      node: labelled,
      number: 6,
      reason: /^Failed to parse rule with label selector inva\/lid=inva\/lid, skip it: .*; Per node number for node node-agent-node is not found, use the global number 6$/,
    },
    {
      name: 'invalid rule number is skipped',
      lc: { globalConfig: 6, perNodeConfig: [hostRule(-1)] },
      node: labelled,
      number: 6,
      reason: /^Rule with label selector host-name=node-1 is with an invalid number -1, skip it; Per node number/,
    },
    {
      name: 'no rule matches the node',
      lc: { globalConfig: 6, perNodeConfig: [hostRule(66)] },
      node: bare,
      number: 6,
      reason: /^Per node number for node node-agent-node is not found, use the global number 6$/,
    },
    {
      name: 'a matching rule',
      lc: { globalConfig: 6, perNodeConfig: [hostRule(66)] },
      node: labelled,
      number: 66,
      reason: /^Use the per node number 66 over global number 6 for node node-agent-node$/,
    },
    { name: 'several match: the smallest wins', lc: { globalConfig: 6, perNodeConfig: [hostRule(66), xxxxRule(36)] }, node: labelled, number: 36, reason: /per node number 36/ },
    { name: 'several match, smallest first', lc: { globalConfig: 6, perNodeConfig: [xxxxRule(36), hostRule(66)] }, node: labelled, number: 36, reason: /per node number 36/ },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const got = loadConcurrencyForNode(row.lc, row.node, DEFAULT);
      assert.equal(got.number, row.number);
      assert.match(got.reason, row.reason);
    });
  }

  it('an absent global number falls back to the default', () => {
    assert.deepEqual(loadConcurrencyForNode({ perNodeConfig: [hostRule(66)] }, bare, 1), {
      number: 1,
      reason: 'Global number is not set, use the default value 1; Per node number for node node-agent-node is not found, use the global number 1',
    });
  });

  it('a per-node rule may exceed the global number', () => {
    assert.equal(loadConcurrencyForNode({ globalConfig: 2, perNodeConfig: [hostRule(8)] }, labelled, 1).number, 8);
  });
});

describe('parseLabelSelector (LabelSelectorAsSelector)', () => {
  const labels = { zone: 'a', gpu: '' };
  const matches = (selector: Parameters<typeof parseLabelSelector>[0]) => {
    const parsed = parseLabelSelector(selector);
    assert.ok(parsed.ok, JSON.stringify(parsed));
    return parsed.matches(labels);
  };
  it('an empty selector matches everything', () => {
    assert.equal(matches({}), true);
  });
  it('ANDs matchLabels and expressions', () => {
    assert.equal(matches({ matchLabels: { zone: 'a' }, matchExpressions: [{ key: 'gpu', operator: 'Exists' }] }), true);
    assert.equal(matches({ matchLabels: { zone: 'a' }, matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist' }] }), false);
    assert.equal(matches({ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['b'] }, { key: 'rack', operator: 'NotIn', values: ['1'] }] }), true);
  });
  it('rejects Gt/Lt, which LabelSelectors do not have', () => {
    assert.deepEqual(parseLabelSelector({ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['4'] }] }), {
      ok: false,
      errors: ['"Gt" is not a valid label selector operator'],
    });
  });
  it('rejects invalid values and value counts', () => {
    const parsed = parseLabelSelector({ matchLabels: { 'inva/lid': 'inva/lid' }, matchExpressions: [{ key: 'zone', operator: 'In' }] });
    assert.ok(!parsed.ok);
    assert.equal(parsed.errors.length, 2);
  });
  it('formats like kubectl', () => {
    assert.equal(
      formatLabelSelector({
        matchLabels: { zone: 'a' },
        matchExpressions: [
          { key: 'rack', operator: 'In', values: ['1', '2'] },
          { key: 'os', operator: 'NotIn', values: ['windows'] },
          { key: 'gpu', operator: 'Exists' },
          { key: 'spot', operator: 'DoesNotExist' },
        ],
      }),
      'zone=a,rack in (1,2),os notin (windows),gpu,!spot',
    );
    assert.equal(formatLabelSelector({}), '<everything>');
  });
});
