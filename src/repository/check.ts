/**
 * `checkRepository`: proves the repository can restore every snapshot.
 *
 * Structure: index files decrypt; every indexed pack exists and its header agrees with the index; every snapshot
 * decrypts and every tree and chunk it references is indexed. With `readData`, every pack is read whole: its
 * name must be the hash of its bytes, and every blob must decrypt and hash back to its id. Each problem names the
 * object it is in.
 */
import { blobId, objectId, unseal } from './crypto.js';
import { BlobDecompressor } from './compress.js';
import { mapLimit } from './concurrency.js';
import { FLAG_COMPRESSED, headerLength, packKey, parseHeader, TAIL_GUESS_BYTES } from './pack.js';
import type { PackEntry } from './pack.js';
import type { Repository } from './repository.js';
import { readSnapshot, snapshotIds } from './snapshot.js';
import type { SnapshotInfo } from './snapshot.js';
import { contentIds } from './tree.js';
import { walkTrees } from './walk-trees.js';
import { errorMessage } from '../util/errors.js';

export interface CheckOptions {
  readData?: boolean;
  onProgress?: (p: { packsDone: number; packs: number }) => void;
  signal?: AbortSignal;
}

export interface CheckResult {
  /** Problems that make some data unrestorable. */
  errors: string[];
  /** Harmless findings, such as packs left by an interrupted backup. */
  warnings: string[];
  packs: number;
  snapshots: number;
}

/** Packs listed in storage, by id, with their sizes. */
export async function storedPacks(repo: Repository): Promise<Map<string, number>> {
  const packs = new Map<string, number>();
  for await (const { key, sizeBytes } of repo.storage.list('data/')) packs.set(key.slice(key.lastIndexOf('/') + 1), sizeBytes);
  return packs;
}

/** Index entries grouped by pack id. */
export function indexedPacks(repo: Repository): Map<string, PackEntry[]> {
  const packs = new Map<string, PackEntry[]>();
  for (const e of repo.index.entries()) {
    const id = repo.index.packIds[e.pack] ?? '';
    let list = packs.get(id);
    if (list === undefined) packs.set(id, (list = []));
    list.push({ flags: e.flags, id: e.id, offset: e.offset, sealedLength: e.sealedLength, rawLength: e.rawLength });
  }
  return packs;
}

export async function readPackHeader(repo: Repository, key: string, size: number): Promise<PackEntry[]> {
  const tailBytes = Math.min(size, TAIL_GUESS_BYTES);
  const tail = await repo.storage.getRange(key, size - tailBytes, tailBytes);
  const length = headerLength(tail, size);
  if (typeof length === 'string') throw new Error(length);
  const sealed = length + 4 <= tail.length ? tail.subarray(tail.length - 4 - length, tail.length - 4) : await repo.storage.getRange(key, size - 4 - length, length);
  return parseHeader(repo.key.encryption, sealed, size);
}

const sameEntry = (a: PackEntry, b: PackEntry): boolean =>
  a.flags === b.flags && a.offset === b.offset && a.sealedLength === b.sealedLength && a.rawLength === b.rawLength && Buffer.from(a.id).equals(b.id);

export async function checkRepository(repo: Repository, { readData = false, onProgress, signal }: CheckOptions = {}): Promise<CheckResult> {
  const errors: string[] = [];
  const warnings: string[] = [];
  await repo.loadIndex((key, err) => errors.push(err.message));
  const indexed = indexedPacks(repo);
  const stored = await storedPacks(repo);
  for (const id of stored.keys()) {
    if (!indexed.has(id)) warnings.push(`pack ${packKey(id)} is in no index (left by an interrupted backup; prune removes it)`);
  }
  let packsDone = 0;
  const decompressor = new BlobDecompressor();
  await mapLimit([...indexed], 4, async ([id, entries]) => {
    signal?.throwIfAborted();
    const key = packKey(id);
    const size = stored.get(id);
    if (size === undefined) {
      errors.push(`pack ${key} is in the index but missing from the repository`);
      return;
    }
    try {
      let header: PackEntry[];
      if (readData) {
        const bytes = await repo.storage.get(key);
        if (objectId(bytes) !== id) errors.push(`pack ${key}: content does not match its name (the pack is damaged)`);
        header = readPackHeaderFrom(repo, bytes);
        for (const blob of header) {
          const hex = Buffer.from(blob.id).toString('hex');
          try {
            const opened = unseal(repo.key.encryption, bytes.subarray(blob.offset, blob.offset + blob.sealedLength), blob.id);
            const plain = (blob.flags & FLAG_COMPRESSED) !== 0 ? decompressor.decompress(opened, blob.rawLength) : opened;
            if (!blobId(repo.key.id, plain).equals(blob.id)) errors.push(`pack ${key}: blob ${hex} does not hash to its id`);
          } catch (err) {
            errors.push(`pack ${key}: blob ${hex} fails authentication (${errorMessage(err)})`);
          }
        }
      } else {
        header = await readPackHeader(repo, key, size);
      }
      const byId = new Map(header.map((e) => [Buffer.from(e.id).toString('hex'), e]));
      for (const entry of entries) {
        const inHeader = byId.get(Buffer.from(entry.id).toString('hex'));
        if (inHeader === undefined || !sameEntry(entry, inHeader)) {
          errors.push(`pack ${key}: blob ${Buffer.from(entry.id).toString('hex')} is indexed but not where the pack header says`);
        }
      }
    } catch (err) {
      errors.push(`pack ${key}: header cannot be read (${errorMessage(err)})`);
    }
    onProgress?.({ packsDone: ++packsDone, packs: indexed.size });
  });
  const snapshots = await readableSnapshots(repo, errors);
  for (const snapshot of snapshots) {
    await walkTrees(repo, [snapshot.tree], {
      node(node, path) {
        for (const id of contentIds(node)) {
          if (!repo.index.has(Buffer.from(id, 'hex'))) errors.push(`snapshot ${snapshot.id.slice(0, 8)}: ${path}: chunk ${id} is missing`);
        }
      },
      damaged(tree, path, err) {
        errors.push(`snapshot ${snapshot.id.slice(0, 8)}: tree ${tree} of ${path === '' ? '/' : path} cannot be read (${errorMessage(err)})`);
      },
    });
  }
  return { errors, warnings, packs: indexed.size, snapshots: snapshots.length };
}

function readPackHeaderFrom(repo: Repository, bytes: Uint8Array): PackEntry[] {
  const length = headerLength(bytes, bytes.length);
  if (typeof length === 'string') throw new Error(length);
  return parseHeader(repo.key.encryption, bytes.subarray(bytes.length - 4 - length, bytes.length - 4), bytes.length);
}

/** Every snapshot that can be read; the others become errors. */
async function readableSnapshots(repo: Repository, errors: string[]): Promise<SnapshotInfo[]> {
  const snapshots: SnapshotInfo[] = [];
  for (const id of await snapshotIds(repo)) {
    try {
      snapshots.push(await readSnapshot(repo, id));
    } catch (err) {
      errors.push(errorMessage(err));
    }
  }
  return snapshots;
}
