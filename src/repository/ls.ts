/** `listTree`: the nodes of a snapshot with their paths, depth-first in name order (for `ferry repo ls`). */
import type { Repository } from './repository.js';
import { loadRootNode } from './backup.js';
import { findSnapshot } from './snapshot.js';
import type { TreeNode } from './tree.js';
import { walkTrees } from './walk-trees.js';
import { FerryError, errorMessage } from '../util/errors.js';

export interface ListedNode {
  path: string;
  node: TreeNode;
}

export async function listTree(repo: Repository, snapshotId: string, onNode: (entry: ListedNode) => void): Promise<void> {
  await repo.loadIndex();
  const snapshot = await findSnapshot(repo, snapshotId);
  const root = await loadRootNode(repo, snapshot.tree);
  await walkTrees(repo, [root.subtree ?? ''], {
    node: (node, path) => { onNode({ path, node }); },
    damaged(tree, path, err) {
      throw new FerryError('IntegrityMismatch', `tree ${tree} of ${path === '' ? '/' : path} cannot be read: ${errorMessage(err)}`);
    },
  }, { once: false });
}
