import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateJsonPath, parseJsonPath } from './jsonpath.js';

describe('printer-column JSONPath', () => {
  const obj = { status: { phase: 'Done', conditions: [{ type: 'A' }, { type: 'B' }] }, metadata: { labels: { 'app.kubernetes.io/name': 'x' } } };
  it('walks fields, indexes, wildcards and quoted keys', () => {
    const eval_ = (path: string): unknown[] => evaluateJsonPath(parseJsonPath(path) ?? [], obj);
    assert.deepEqual(eval_('.status.phase'), ['Done']);
    assert.deepEqual(eval_('.status.conditions[1].type'), ['B']);
    assert.deepEqual(eval_('.status.conditions[*].type'), ['A', 'B']);
    assert.deepEqual(eval_(".metadata.labels['app.kubernetes.io/name']"), ['x']);
    assert.deepEqual(eval_('{.status.phase}'), ['Done']);
    assert.deepEqual(eval_('.status.missing.deeper'), []);
    assert.equal(parseJsonPath('status..phase'), undefined);
  });
});
