/**
 * `pruneRepository`: removes what no snapshot needs, under an exclusive lock.
 *
 * Marks every tree and chunk reachable from the snapshots; packs whose blobs are all needed stay, packs with none
 * are deleted, and the needed blobs of the rest are copied (still sealed: nothing is decrypted) into new packs.
 * Packs that no index mentions (an interrupted backup's) are deleted too. Then a new index replaces the old one.
 * Order matters for crash safety: new packs, then new index, then delete old index files, then delete packs.
 */
import { BLOB_DATA, blobKind, PackBuilder, packKey } from './pack.js';
import type { PackEntry } from './pack.js';
import { encodeIndex } from './index-file.js';
import type { IndexedPack } from './index-file.js';
import { objectId } from './crypto.js';
import { indexedPacks, storedPacks } from './check.js';
import { acquireLock, isStale, readLocks } from './lock.js';
import type { Repository } from './repository.js';
import { listSnapshots } from './snapshot.js';
import { contentIds } from './tree.js';
import { walkTrees } from './walk-trees.js';
import { FerryError, errorMessage } from '../util/errors.js';

export interface PruneResult {
  packsDeleted: number;
  packsRepacked: number;
  packsKept: number;
  bytesFreed: number;
  staleLocksRemoved: number;
}

const INDEX_ENTRIES_PER_FILE = 50_000;

export async function pruneRepository(repo: Repository, { onStep }: { onStep?: (message: string) => void } = {}): Promise<PruneResult> {
  const staleLocksRemoved = await removeStaleLocks(repo);
  const lock = await acquireLock(repo, { exclusive: true });
  try {
    await repo.loadIndex();
    onStep?.('marking blobs used by snapshots');
    const used = await usedBlobs(repo);
    const indexed = indexedPacks(repo);
    const stored = await storedPacks(repo);
    const keep: IndexedPack[] = [];
    const repack: { id: string; entries: PackEntry[] }[] = [];
    const remove: string[] = [...stored.keys()].filter((id) => !indexed.has(id));
    const placed = new Set<string>();
    for (const [id, entries] of indexed) {
      const needed = entries.filter((e) => {
        const hex = Buffer.from(e.id).toString('hex');
        if (!used.has(hex) || placed.has(hex)) return false;
        placed.add(hex);
        return true;
      });
      if (needed.length === entries.length) keep.push({ id, entries });
      else if (needed.length === 0) remove.push(id);
      else repack.push({ id, entries: needed });
    }
    onStep?.(`repacking ${repack.length} packs, deleting ${remove.length}`);
    const written = await repackBlobs(repo, repack);
    const oldIndex = [...repo.indexKeys];
    for (let i = 0; i < keep.length + written.length; ) {
      const batch: IndexedPack[] = [];
      let entries = 0;
      const all = [...keep, ...written];
      while (i < all.length && entries < INDEX_ENTRIES_PER_FILE) {
        const pack = all[i++] as IndexedPack;
        batch.push(pack);
        entries += pack.entries.length;
      }
      const bytes = encodeIndex(repo.key.encryption, batch);
      await repo.storage.put(`index/${objectId(bytes)}`, bytes, { ifAbsent: true });
    }
    for (const key of oldIndex) await repo.storage.delete(key);
    let bytesFreed = 0;
    for (const id of [...remove, ...repack.map((p) => p.id)]) {
      bytesFreed += stored.get(id) ?? 0;
      await repo.storage.delete(packKey(id));
    }
    for (const pack of written) bytesFreed -= pack.entries.reduce((sum, e) => sum + e.sealedLength, 0);
    return { packsDeleted: remove.length, packsRepacked: repack.length, packsKept: keep.length, bytesFreed, staleLocksRemoved };
  } finally {
    await lock.release();
  }
}

async function removeStaleLocks(repo: Repository): Promise<number> {
  let removed = 0;
  for (const { key, info } of await readLocks(repo)) {
    if (info.hostname !== '?' && isStale(info)) {
      await repo.storage.delete(key);
      removed++;
    }
  }
  return removed;
}

/** Hex ids of every tree and chunk reachable from a snapshot; refuses to go on if any tree is unreadable. */
async function usedBlobs(repo: Repository): Promise<Set<string>> {
  const used = new Set<string>();
  const snapshots = await listSnapshots(repo);
  const trees = await walkTrees(
    repo,
    snapshots.map((s) => s.tree),
    {
      node(node) {
        for (const id of contentIds(node)) used.add(id);
      },
      damaged(tree, _path, err) {
        throw new FerryError('IntegrityMismatch', `prune stopped: tree ${tree} cannot be read (${errorMessage(err)})`, {
          hint: 'run `ferry repo check` first; prune never deletes data while a snapshot is unreadable',
        });
      },
    },
  );
  for (const tree of trees) used.add(tree);
  return used;
}

async function repackBlobs(repo: Repository, packs: { id: string; entries: PackEntry[] }[]): Promise<IndexedPack[]> {
  const written: IndexedPack[] = [];
  const builders = new Map<number, PackBuilder>();
  const finish = async (kind: number): Promise<void> => {
    const builder = builders.get(kind);
    if (builder === undefined || builder.count === 0) return;
    const pack = builder.finish(repo.key.encryption);
    await repo.storage.put(packKey(pack.id), pack.bytes, { ifAbsent: true });
    written.push({ id: pack.id, entries: pack.entries });
  };
  for (const { id, entries } of packs) {
    for (const e of entries) {
      const sealed = await repo.storage.getRange(packKey(id), e.offset, e.sealedLength);
      const kind = blobKind(e.flags) === BLOB_DATA ? 0 : 1;
      let builder = builders.get(kind);
      if (builder === undefined) builders.set(kind, (builder = new PackBuilder()));
      builder.add({ flags: e.flags, id: e.id, sealedLength: e.sealedLength, rawLength: e.rawLength }, sealed);
      if (builder.sizeBytes >= repo.config.packSizeBytes) await finish(kind);
    }
  }
  for (const kind of builders.keys()) await finish(kind);
  return written;
}
