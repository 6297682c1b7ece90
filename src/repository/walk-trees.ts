/** Visiting every tree reachable from snapshots, each tree once (unchanged directories are shared). */
import type { Repository } from './repository.js';
import type { TreeNode } from './tree.js';
import { decodeTree, displayName, nameOf } from './tree.js';

export interface TreeVisitor {
  /** Called for every node, with its path inside the snapshot. */
  node(node: TreeNode, path: string): void;
  /** A tree that cannot be read; the walk skips it. */
  damaged(tree: string, path: string, err: unknown): void;
}

/**
 * Returns the ids of the trees visited. With `once` (the default) a tree shared by several places is visited at
 * the first; without it every path is listed.
 */
export async function walkTrees(repo: Repository, roots: readonly string[], visitor: TreeVisitor, { once = true } = {}): Promise<Set<string>> {
  const seen = new Set<string>();
  const visit = async (tree: string, path: string): Promise<void> => {
    if (once && seen.has(tree)) return;
    seen.add(tree);
    let nodes: TreeNode[];
    try {
      nodes = decodeTree(await repo.readBlob(Buffer.from(tree, 'hex')));
    } catch (err) {
      visitor.damaged(tree, path, err);
      return;
    }
    for (const node of nodes) {
      const child = path === '' ? displayName(nameOf(node)) : `${path}/${displayName(nameOf(node))}`;
      visitor.node(node, child);
      if (node.type === 'dir' && node.subtree !== undefined) await visit(node.subtree, child);
    }
  };
  for (const root of roots) await visit(root, '');
  return seen;
}
