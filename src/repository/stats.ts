/** `repositoryStats`: what the repository holds and how well deduplication and compression work. */
import { BLOB_TREE, blobKind, FLAG_COMPRESSED } from './pack.js';
import type { Repository } from './repository.js';
import { listSnapshots } from './snapshot.js';
import { storedPacks } from './check.js';

export interface RepositoryStats {
  snapshots: number;
  /** Sum of the snapshots' file sizes: what restoring all of them would write. */
  snapshotBytes: number;
  packs: number;
  packBytes: number;
  dataBlobs: number;
  treeBlobs: number;
  /** Raw size of the unique blobs. */
  uniqueBytes: number;
  /** Their size as stored (compressed, encrypted). */
  storedBytes: number;
  compressedBlobs: number;
}

export async function repositoryStats(repo: Repository): Promise<RepositoryStats> {
  await repo.loadIndex();
  const snapshots = await listSnapshots(repo);
  const packs = await storedPacks(repo);
  const stats: RepositoryStats = {
    snapshots: snapshots.length,
    snapshotBytes: snapshots.reduce((sum, s) => sum + s.totalBytes, 0),
    packs: packs.size,
    packBytes: [...packs.values()].reduce((a, b) => a + b, 0),
    dataBlobs: 0,
    treeBlobs: 0,
    uniqueBytes: 0,
    storedBytes: 0,
    compressedBlobs: 0,
  };
  for (const e of repo.index.entries()) {
    if (blobKind(e.flags) === BLOB_TREE) stats.treeBlobs++;
    else stats.dataBlobs++;
    if ((e.flags & FLAG_COMPRESSED) !== 0) stats.compressedBlobs++;
    stats.uniqueBytes += e.rawLength;
    stats.storedBytes += e.sealedLength;
  }
  return stats;
}
