import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { applyMergePatch } from '../patch.js';

describe('applyMergePatch', () => {
  // RFC 7386 appendix A, row by row: [original, patch, result].
  const rfcExamples: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [original, patch, result] of rfcExamples) {
    it(`RFC 7386: ${JSON.stringify(original)} + ${JSON.stringify(patch)} = ${JSON.stringify(result)}`, () => {
      assert.deepEqual(applyMergePatch(original, patch), result);
    });
  }

  it('drops null members of objects inside a new array, as kube-apiserver does', () => {
    assert.deepEqual(applyMergePatch({}, { list: [{ a: 1, b: null }, null] }), { list: [{ a: 1 }, null] });
  });

  it('removes a label and a finalizer list the way kubectl patch --type merge does', () => {
    const pod = { metadata: { name: 'p', labels: { a: '1', b: '2' }, finalizers: ['x'] }, spec: { nodeName: 'n' } };
    const before = structuredClone(pod);
    const out = applyMergePatch(pod, { metadata: { labels: { a: null }, finalizers: null } });
    assert.deepEqual(out, { metadata: { name: 'p', labels: { b: '2' } }, spec: { nodeName: 'n' } });
    assert.deepEqual(pod, before, 'the input is not modified');
  });

  it('returns objects that do not share structure with the patch', () => {
    const patch = { data: { nested: { a: 1 } } };
    const out = applyMergePatch({}, patch) as { data: { nested: { a: number } } };
    out.data.nested.a = 2;
    assert.equal(patch.data.nested.a, 1);
  });
});
