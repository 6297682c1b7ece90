/**
 * Backup of one directory tree into a snapshot.
 *
 * The walk goes depth-first in name order on the main thread (lstat is cheap); file contents go to the chunk
 * workers; each directory's tree blob is written once its files are done, so memory holds the directories still
 * waiting for files (a bounded number) and the walk's path only. With a parent snapshot, a file whose size, mtime,
 * ctime and inode match its parent node keeps the parent's chunk list without being read.
 */
import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import type { BigIntStats } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import { resolve } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { BlobWriter } from './blob-writer.js';
import { ChunkPool, FileReadError } from './chunk-pool.js';
import { canceled, settledLater } from './failure.js';
import type { FileChunks } from './chunk-pool.js';
import { acquireLock } from './lock.js';
import { BLOB_TREE } from './pack.js';
import type { Repository } from './repository.js';
import { findSnapshot, latestMatching, saveSnapshot } from './snapshot.js';
import type { Snapshot, SnapshotSummary } from './snapshot.js';
import { contentIds, decodeTree, encodeTree, nameOf, nodeFromStat, sameNode, setTarget, displayName } from './tree.js';
import type { TreeNode } from './tree.js';
import { joinPath } from './paths.js';
import { FerryError } from '../util/errors.js';

/** `totalBytes` is what the walk has found so far (the whole tree once it is done). */
export interface BackupProgress {
  totalBytes: number;
  bytesDone: number;
  files: number;
}

export interface BackupOptions {
  /** Snapshot id (or prefix) to compare with; by default the latest snapshot of the same path and tags. */
  parent?: string;
  tags?: Record<string, string>;
  /** Called at least every second while the backup runs, and once at the end. */
  onProgress?: (p: BackupProgress) => void;
  /** Files that vanished during the backup and other things a person should know. */
  onWarning?: (message: string) => void;
  signal?: AbortSignal;
  /** Worker threads for chunking, hashing, compression and encryption; default: one per CPU. */
  workers?: number;
  /** Compare with no parent even if one exists (reads every file). */
  noParent?: boolean;
}

/** The snapshot's summary (`incrementalBytes`: new bytes after deduplication, before compression) and its id. */
export interface BackupResult extends SnapshotSummary {
  snapshotId: string;
  parent: string | undefined;
  /** The directory held nothing. */
  emptySnapshot: boolean;
}

const PROGRESS_EVERY_MS = 1000;
const YIELD_EVERY_ENTRIES = 256;
const MAX_OPEN_DIRS = 16;

interface Counters {
  totalBytes: number;
  bytesDone: number;
  files: number;
  dirs: number;
  incrementalBytes: number;
}

const sameFile = (a: TreeNode, b: TreeNode): boolean =>
  a.type === 'file' && b.type === 'file' && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs && a.ino === b.ino;

class TreeSaver {
  readonly counters: Counters = { totalBytes: 0, bytesDone: 0, files: 0, dirs: 0, incrementalBytes: 0 };
  private readonly links = new Map<string, Promise<FileChunks>>();
  private readonly openDirs: Promise<string>[] = [];
  private sinceYield = 0;

  constructor(
    private readonly repo: Repository,
    private readonly writer: BlobWriter,
    private readonly pool: ChunkPool,
    private readonly options: BackupOptions,
  ) {}

  /**
   * Walks the directory `path` and everything below it. Returns once every entry is listed, with the promise of
   * its tree blob id (hex), which follows once its files are read: the walk goes on meanwhile, so the workers get
   * the next directory's files instead of idling at each directory's last file.
   */
  async saveDir(path: Buffer, parentTree: string | undefined): Promise<{ tree: Promise<string> }> {
    this.options.signal?.throwIfAborted();
    const previous = await this.parentNodes(parentTree);
    const names = readdirSync(path, { encoding: 'buffer' }).sort((a, b) => Buffer.compare(a, b));
    const nodes: TreeNode[] = [];
    /** The parent's node of each entry of `nodes`, at the same index. */
    const befores: (TreeNode | undefined)[] = [];
    const pending: Promise<void>[] = [];
    const vanished = new Set<TreeNode>();
    for (const name of names) {
      if (++this.sinceYield >= YIELD_EVERY_ENTRIES) {
        this.sinceYield = 0;
        await yieldToLoop();
        this.options.signal?.throwIfAborted();
      }
      const childPath = joinPath(path, name);
      const st = this.lstat(childPath);
      if (st === undefined) continue;
      const node = nodeFromStat(name, st);
      const before = previous?.get(name.toString('latin1'));
      nodes.push(node);
      befores.push(before);
      if (node.type === 'dir') {
        this.counters.dirs++;
        const { tree } = await this.saveDir(childPath, before?.type === 'dir' ? before.subtree : undefined);
        pending.push(settledLater(tree.then((id) => { node.subtree = id; })));
      } else if (node.type === 'symlink') {
        setTarget(node, readlinkSync(childPath, { encoding: 'buffer' }));
      } else if (node.type === 'file') {
        this.counters.files++;
        this.counters.totalBytes += node.size;
        // The common case of an incremental backup, kept free of promises: a plain file unchanged since the parent.
        if (node.dev === undefined && before !== undefined && sameFile(before, node) && this.allKnown(before)) {
          node.content = before.content ?? [];
          this.counters.bytesDone += node.size;
          continue;
        }
        // The walk waits while the pool's queue is full: files waiting to be queued would hold memory too.
        await this.pool.ready();
        pending.push(settledLater(this.saveFile(childPath, node, before).catch((err: unknown) => { this.readFailed(err, childPath, node, vanished); })));
      }
    }
    const save = async (): Promise<string> => {
      // An unchanged directory is its parent tree: no need to encode, hash and look up the same bytes again.
      if (parentTree !== undefined && vanished.size === 0 && nodes.length === previous?.size && nodes.every((n, i) => befores[i] !== undefined && sameNode(n, befores[i]))) return parentTree;
      const kept = vanished.size === 0 ? nodes : nodes.filter((n) => !vanished.has(n));
      return Buffer.from(await this.writer.saveBlob(BLOB_TREE, encodeTree(kept))).toString('hex');
    };
    const tree = settledLater(pending.length === 0 ? save() : Promise.all(pending).then(save));
    // Directories waiting for their files hold their nodes: past a bound, the walk waits for the oldest.
    this.openDirs.push(tree);
    while (this.openDirs.length > MAX_OPEN_DIRS) await this.openDirs.shift();
    return { tree };
  }

  private lstat(path: Buffer): BigIntStats | undefined {
    try {
      return lstatSync(path, { bigint: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      this.options.onWarning?.(`${displayName(path)} vanished during the backup`);
      return undefined;
    }
  }

  private async saveFile(path: Buffer, node: TreeNode, before: TreeNode | undefined): Promise<void> {
    const linkKey = node.dev === undefined ? undefined : `${node.dev}:${node.ino}`;
    let chunks = linkKey === undefined ? undefined : this.links.get(linkKey);
    if (chunks === undefined) {
      if (before !== undefined && sameFile(before, node) && this.allKnown(before)) {
        chunks = Promise.resolve({ content: before.content ?? [], size: before.size, newBytes: 0 });
        this.counters.bytesDone += node.size;
      } else {
        await this.pool.ready();
        chunks = this.pool.add(path, node.size, before?.type === 'file' ? before.content : undefined);
      }
      if (linkKey !== undefined) this.links.set(linkKey, chunks);
      const { newBytes } = await chunks;
      this.counters.incrementalBytes += newBytes;
    }
    const { content, size } = await chunks;
    node.content = content;
    node.size = size;
  }

  private allKnown(node: TreeNode): boolean {
    return contentIds(node).every((id) => this.writer.has(Buffer.from(id, 'hex')));
  }

  private readFailed(err: unknown, path: Buffer, node: TreeNode, vanished: Set<TreeNode>): void {
    if (err instanceof FileReadError && err.code === 'ENOENT') {
      vanished.add(node);
      this.options.onWarning?.(`${displayName(path)} vanished during the backup`);
      return;
    }
    if (err instanceof FileReadError) {
      throw new FerryError('Unavailable', `cannot read ${displayName(path)}: ${err.message}`, { cause: err });
    }
    throw err;
  }

  /** The parent snapshot's nodes of this directory by name (latin1 of the raw bytes, a lossless key). */
  private async parentNodes(tree: string | undefined): Promise<Map<string, TreeNode> | undefined> {
    if (tree === undefined || !this.writer.has(Buffer.from(tree, 'hex'))) return undefined;
    const nodes = decodeTree(await this.repo.readBlob(Buffer.from(tree, 'hex')));
    return new Map(nodes.map((n) => [nameOf(n).toString('latin1'), n]));
  }
}

export async function backupDirectory(repo: Repository, dir: string, options: BackupOptions = {}): Promise<BackupResult> {
  const started = performance.now();
  const { signal, tags = {}, onProgress } = options;
  signal?.throwIfAborted();
  const root = resolve(dir);
  const rootStat = statRoot(root);
  // The lock, the index and the parent are independent reads: overlapping them matters for quick incremental runs.
  const [locked, parentFound, indexed] = await Promise.allSettled([
    acquireLock(repo, { exclusive: false }),
    options.noParent === true ? undefined : options.parent !== undefined ? findSnapshot(repo, options.parent) : latestMatching(repo, [root], tags),
    repo.loadIndex(),
  ]);
  if (locked.status === 'rejected') throw locked.reason;
  const lock = locked.value;
  for (const other of [parentFound, indexed]) {
    if (other.status === 'rejected') {
      await lock.release();
      throw other.reason;
    }
  }
  const parent = parentFound.status === 'fulfilled' ? parentFound.value : undefined;
  const writer = new BlobWriter(repo, signal === undefined ? {} : { signal });
  let saver: TreeSaver | undefined;
  const pool = new ChunkPool(repo, writer, {
    workers: options.workers ?? availableParallelism(),
    onBytes: (bytes) => {
      if (saver) saver.counters.bytesDone += bytes;
    },
  });
  const report = (): void => {
    if (saver) onProgress?.({ totalBytes: saver.counters.totalBytes, bytesDone: saver.counters.bytesDone, files: saver.counters.files });
  };
  const timer = onProgress ? setInterval(report, PROGRESS_EVERY_MS) : undefined;
  const onAbort = (): void => void pool.close(canceled());
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const parentRoot = parent === undefined ? undefined : (await loadRootNode(repo, parent.tree));
    saver = new TreeSaver(repo, writer, pool, options);
    const rootNode = nodeFromStat(Buffer.from('.'), rootStat);
    rootNode.subtree = await (await saver.saveDir(Buffer.from(root), parentRoot?.subtree)).tree;
    const rootTree = Buffer.from(await writer.saveBlob(BLOB_TREE, encodeTree([rootNode]))).toString('hex');
    await pool.drain();
    await writer.flush();
    signal?.throwIfAborted();
    const { totalBytes, files, dirs, incrementalBytes } = saver.counters;
    const durationMs = Math.round(performance.now() - started);
    const snapshot: Snapshot = {
      version: 1,
      time: new Date().toISOString(),
      tree: rootTree,
      paths: [root],
      hostname: hostname(),
      tags,
      ...(parent ? { parent: parent.id } : {}),
      summary: { totalBytes, incrementalBytes, storedBytes: writer.stats.storedBytes, files, dirs, durationMs },
    };
    const snapshotId = await saveSnapshot(repo, snapshot);
    report();
    const emptySnapshot = files === 0 && dirs === 0 && readdirSync(root).length === 0;
    return { snapshotId, parent: parent?.id, totalBytes, incrementalBytes, storedBytes: writer.stats.storedBytes, files, dirs, durationMs, emptySnapshot };
  } catch (err) {
    if (signal?.aborted === true) throw canceled();
    throw err;
  } finally {
    clearInterval(timer);
    signal?.removeEventListener('abort', onAbort);
    await pool.close();
    await lock.release();
  }
}

function statRoot(root: string): BigIntStats {
  let st: BigIntStats;
  try {
    st = lstatSync(root, { bigint: true });
  } catch (err) {
    throw new FerryError('NotFound', `cannot back up ${root}: ${(err as Error).message}`, { cause: err });
  }
  if (!st.isDirectory()) throw new FerryError('Usage', `cannot back up ${root}: not a directory`);
  return st;
}

/** The root tree holds one node: the backed-up directory itself. */
export async function loadRootNode(repo: Repository, tree: string): Promise<TreeNode> {
  const [node] = decodeTree(await repo.readBlob(Buffer.from(tree, 'hex')));
  if (node?.type !== 'dir') throw new FerryError('IntegrityMismatch', `root tree ${tree} has no directory node`);
  return node;
}
