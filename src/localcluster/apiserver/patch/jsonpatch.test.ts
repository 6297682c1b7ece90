import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { applyJsonPatch, PatchError } from '../patch.js';

function rejects(run: () => unknown, status: number, message: string): void {
  assert.throws(run, (err: unknown) => {
    assert.ok(err instanceof PatchError);
    assert.equal(err.status, status);
    assert.equal(err.message, message);
    return true;
  });
}

describe('applyJsonPatch: RFC 6902 appendix A', () => {
  const examples: [string, unknown, unknown[], unknown][] = [
    ['A.1 adding an object member', { foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }], { baz: 'qux', foo: 'bar' }],
    [
      'A.2 adding an array element',
      { foo: ['bar', 'baz'] },
      [{ op: 'add', path: '/foo/1', value: 'qux' }],
      { foo: ['bar', 'qux', 'baz'] },
    ],
    ['A.3 removing an object member', { baz: 'qux', foo: 'bar' }, [{ op: 'remove', path: '/baz' }], { foo: 'bar' }],
    ['A.4 removing an array element', { foo: ['bar', 'qux', 'baz'] }, [{ op: 'remove', path: '/foo/1' }], { foo: ['bar', 'baz'] }],
    [
      'A.5 replacing a value',
      { baz: 'qux', foo: 'bar' },
      [{ op: 'replace', path: '/baz', value: 'boo' }],
      { baz: 'boo', foo: 'bar' },
    ],
    [
      'A.6 moving a value',
      { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } },
      [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }],
      { foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } },
    ],
    [
      'A.7 moving an array element',
      { foo: ['all', 'grass', 'cows', 'eat'] },
      [{ op: 'move', from: '/foo/1', path: '/foo/3' }],
      { foo: ['all', 'cows', 'eat', 'grass'] },
    ],
    [
      'A.8 testing a value: success',
      { baz: 'qux', foo: ['a', 2, 'c'] },
      [
        { op: 'test', path: '/baz', value: 'qux' },
        { op: 'test', path: '/foo/1', value: 2 },
      ],
      { baz: 'qux', foo: ['a', 2, 'c'] },
    ],
    [
      'A.10 adding a nested member object',
      { foo: 'bar' },
      [{ op: 'add', path: '/child', value: { grandchild: {} } }],
      { foo: 'bar', child: { grandchild: {} } },
    ],
    [
      'A.11 ignoring unrecognized elements',
      { foo: 'bar' },
      [{ op: 'add', path: '/baz', value: 'qux', xyz: 123 }],
      { foo: 'bar', baz: 'qux' },
    ],
    ['A.14 ~ escape ordering', { '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: 10 }], { '/': 9, '~1': 10 }],
    [
      'A.16 adding an array value',
      { foo: ['bar'] },
      [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }],
      { foo: ['bar', ['abc', 'def']] },
    ],
  ];
  for (const [name, doc, ops, result] of examples) {
    it(name, () => {
      const before = structuredClone(doc);
      assert.deepEqual(applyJsonPatch(doc, ops), result);
      assert.deepEqual(doc, before, 'the input is not modified');
    });
  }

  it('A.9 testing a value: error is a 422 and nothing of the patch is kept', () => {
    const doc = { baz: 'qux' };
    rejects(
      () => applyJsonPatch(doc, [{ op: 'add', path: '/x', value: 1 }, { op: 'test', path: '/baz', value: 'bar' }]),
      422,
      'testing value /baz failed: test failed',
    );
    assert.deepEqual(doc, { baz: 'qux' });
  });

  it('A.12 adding to a nonexistent target is a 422', () => {
    rejects(
      () => applyJsonPatch({ foo: 'bar' }, [{ op: 'add', path: '/baz/bat', value: 'qux' }]),
      422,
      'add operation does not apply: doc is missing path: "/baz/bat": missing value',
    );
  });

  it('A.15 comparing strings and numbers fails the test', () => {
    rejects(
      () => applyJsonPatch({ '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: '10' }]),
      422,
      'testing value /~01 failed: test failed',
    );
  });
});

describe('applyJsonPatch: what kubectl patch --type json sends, with kube-apiserver behaviour', () => {
  const ds = { spec: { template: { spec: { containers: [{ name: 'node-agent', args: ['node-agent', 'server'] }] } } } };

  it('appends an argument with "-" (the documented way to add --node-agent-configmap)', () => {
    const ops = [{ op: 'add', path: '/spec/template/spec/containers/0/args/-', value: '--node-agent-configmap=cm' }];
    assert.deepEqual(applyJsonPatch(ds, ops), {
      spec: { template: { spec: { containers: [{ name: 'node-agent', args: ['node-agent', 'server', '--node-agent-configmap=cm'] }] } } },
    });
  });

  it('removes a label whose key has a slash (~1)', () => {
    const pod = { metadata: { labels: { 'app.kubernetes.io/name': 'x', keep: 'y' } } };
    assert.deepEqual(applyJsonPatch(pod, [{ op: 'remove', path: '/metadata/labels/app.kubernetes.io~1name' }]), {
      metadata: { labels: { keep: 'y' } },
    });
  });

  it('copies, and negative indices count from the end as in the server library', () => {
    assert.deepEqual(applyJsonPatch({ a: [1, 2, 3] }, [{ op: 'copy', from: '/a/-1', path: '/b' }]), { a: [1, 2, 3], b: 3 });
  });

  it('a test on a missing member passes only for null', () => {
    assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: 'test', path: '/missing', value: null }]), { a: 1 });
    rejects(() => applyJsonPatch({ a: 1 }, [{ op: 'test', path: '/missing', value: 1 }]), 422, 'testing value /missing failed: test failed');
  });

  it('replace of a missing object member adds it, as the server library does', () => {
    assert.deepEqual(applyJsonPatch({ metadata: {} }, [{ op: 'replace', path: '/metadata/x', value: 1 }]), {
      metadata: { x: 1 },
    });
  });

  it('rejects what does not apply with 422 and the library message', () => {
    rejects(
      () => applyJsonPatch({ a: [1] }, [{ op: 'remove', path: '/a/5' }]),
      422,
      "error in remove for path: '/a/5': Unable to access invalid index: 5: invalid index referenced",
    );
    rejects(
      () => applyJsonPatch({ a: 1 }, [{ op: 'remove', path: '/b' }]),
      422,
      "error in remove for path: '/b': Unable to remove nonexistent key: b: missing value",
    );
    rejects(
      () => applyJsonPatch({ a: [] }, [{ op: 'add', path: '/a/x', value: 1 }]),
      422,
      `error in add for path: '/a/x': value was not a proper array index: 'x': strconv.Atoi: parsing "x": invalid syntax`,
    );
    rejects(
      () => applyJsonPatch({ a: [1] }, [{ op: 'replace', path: '/a/3', value: 1 }]),
      422,
      'replace operation does not apply: doc is missing key: /a/3: missing value',
    );
    rejects(() => applyJsonPatch({}, [{ op: 'frobnicate', path: '/a' }]), 422, 'Unexpected kind: frobnicate');
    rejects(() => applyJsonPatch({}, [{ op: 'remove' }]), 422, 'remove operation failed to decode path: missing value');
  });

  it('rejects a body that is not a list of operations with 400', () => {
    rejects(
      () => applyJsonPatch({}, { op: 'add', path: '/a', value: 1 }),
      400,
      'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
    );
    rejects(() => applyJsonPatch({}, ['add']), 400, 'json: cannot unmarshal string into Go value of type jsonpatch.Operation');
  });
});
