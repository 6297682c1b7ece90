import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeTree, encodeTree, sameNode } from './tree.js';
import type { TreeNode } from './tree.js';

const file: TreeNode = { name: 'f', type: 'file', mode: 0o644, uid: 0, gid: 0, mtimeNs: '1', ctimeNs: '2', ino: '3', nlink: 1, size: 5, content: ['ab', 3] };

describe('tree nodes', () => {
  it('are the same when every property and content item is, in whatever order or copy', () => {
    const [copy] = decodeTree(encodeTree([file]));
    assert.ok(copy !== undefined && sameNode(file, copy));
    const { name: _, ...rest } = file;
    assert.ok(sameNode(file, { ...rest, name: 'f' }), 'property order does not matter');
  });

  it('differ in any property, content item, or a property only one of them has', () => {
    for (const change of [{ mode: 0o600 }, { mtimeNs: '9' }, { content: ['ab', 4] }, { content: ['ab'] }, { subtree: 'x' }]) {
      const other = { ...file, ...change };
      assert.equal(sameNode(file, other), false, JSON.stringify(change));
      assert.equal(sameNode(other, file), false, `${JSON.stringify(change)}, the other way round`);
    }
    const { content: _, ...noContent } = file;
    assert.equal(sameNode(file, noContent), false);
    assert.equal(sameNode(noContent, file), false);
  });
});
