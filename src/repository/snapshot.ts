/**
 * Snapshots (`snapshots/<sha256>`): encrypted JSON manifests naming the root tree of one backup, where it came from
 * and what it held. See `Snapshot` for the fields.
 */
import { textBytes } from './crypto.js';
import type { Repository } from './repository.js';
import { mapLimit } from './concurrency.js';
import { FerryError } from '../util/errors.js';
import { compareText } from '../util/compare.js';

export const SNAPSHOT_AAD = textBytes('ferry snapshot v1');

export interface SnapshotSummary {
  /** Bytes of all regular files in the snapshot. */
  totalBytes: number;
  /** Raw bytes of chunks that were new to the repository. */
  incrementalBytes: number;
  /** Bytes those new chunks (and trees) took in packs, after compression and encryption. */
  storedBytes: number;
  files: number;
  dirs: number;
  durationMs: number;
}

export interface Snapshot {
  version: 1;
  time: string;
  /** Root tree blob id (hex); the root tree describes the backed-up directory itself as its only node. */
  tree: string;
  paths: string[];
  hostname: string;
  tags: Record<string, string>;
  parent?: string;
  summary: SnapshotSummary;
}

export interface SnapshotInfo extends Snapshot {
  id: string;
  totalBytes: number;
}

function info(id: string, snapshot: Snapshot): SnapshotInfo {
  return { id, ...snapshot, totalBytes: snapshot.summary.totalBytes };
}

export async function forgetSnapshot(repo: Repository, idOrPrefix: string): Promise<string> {
  const { id } = await findSnapshot(repo, idOrPrefix);
  await repo.storage.delete(`snapshots/${id}`);
  return id;
}

export async function saveSnapshot(repo: Repository, snapshot: Snapshot): Promise<string> {
  return repo.saveJson('snapshots', snapshot, SNAPSHOT_AAD);
}

export async function readSnapshot(repo: Repository, id: string): Promise<SnapshotInfo> {
  return info(id, (await repo.loadJson(`snapshots/${id}`, SNAPSHOT_AAD)) as Snapshot);
}

export async function snapshotIds(repo: Repository): Promise<string[]> {
  const ids: string[] = [];
  for await (const { key } of repo.storage.list('snapshots/')) ids.push(key.slice('snapshots/'.length));
  return ids;
}

/** Every snapshot, oldest first. */
export async function listSnapshots(repo: Repository): Promise<SnapshotInfo[]> {
  const all = await mapLimit(await snapshotIds(repo), 8, (id) => readSnapshot(repo, id));
  return all.sort((a, b) => compareText(a.time, b.time) || compareText(a.id, b.id));
}

/** A snapshot by id or unique id prefix, or `latest`. */
export async function findSnapshot(repo: Repository, idOrPrefix: string): Promise<SnapshotInfo> {
  if (idOrPrefix === 'latest') {
    const last = (await listSnapshots(repo)).at(-1);
    if (last) return last;
  } else {
    const ids = (await snapshotIds(repo)).filter((id) => id.startsWith(idOrPrefix));
    const [only] = ids;
    if (ids.length === 1 && only !== undefined) return readSnapshot(repo, only);
    if (ids.length > 1) throw new FerryError('Usage', `snapshot id prefix ${JSON.stringify(idOrPrefix)} is ambiguous (${ids.length} snapshots)`);
  }
  throw new FerryError('NotFound', `no snapshot ${JSON.stringify(idOrPrefix)} in ${repo.storage.location}`, {
    hint: 'list them with `ferry repo snapshots`',
  });
}

const sameTags = (a: Record<string, string>, b: Record<string, string>): boolean =>
  JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

/** The latest snapshot of the same paths with the same tags: the default parent of a backup. */
export async function latestMatching(repo: Repository, paths: readonly string[], tags: Record<string, string>): Promise<SnapshotInfo | undefined> {
  const all = await listSnapshots(repo);
  return all.reverse().find((s) => JSON.stringify(s.paths) === JSON.stringify(paths) && sameTags(s.tags, tags));
}
