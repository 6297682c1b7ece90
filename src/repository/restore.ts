/**
 * Restore of a snapshot into a directory.
 *
 * The main thread walks the trees, creates directories, symlinks and files (holes stay holes: a file that ends in
 * one is sized up front, the others by their writes), and plans reads: the chunks of a window of files are grouped
 * by pack and read as few contiguous ranges, several ahead, while the next window's files are created. Each range
 * goes to the least loaded worker, which decrypts its blobs and writes them to their files; once every write to a
 * file is done, the main thread applies its metadata and closes it. The main thread owns the files so that any
 * worker can write any file: a large file is written by all of them, not by one. A file whose blob fails
 * authentication is removed and reported; the rest is restored, and then the restore fails naming every such
 * file. Directory metadata is applied last, deepest first, so creating children does not disturb their parents'
 * mtimes.
 */
import { chmodSync, closeSync, constants, fchmodSync, fchownSync, ftruncateSync, futimesSync, lchownSync, linkSync, lutimesSync, mkdirSync, openSync, symlinkSync, unlinkSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { loadRootNode } from './backup.js';
import type { BackupProgress } from './backup.js';
import type { BlobLocation } from './blob-index.js';
import { asError, canceled, settledLater } from './failure.js';
import { packKey } from './pack.js';
import { joinPath } from './paths.js';
import type { Repository } from './repository.js';
import type { BlobWrite, RestoreJob, RestoreReply, RestoreWorkerInit } from './restore-protocol.js';
import { findSnapshot } from './snapshot.js';
import { decodeTree, displayName, nameOf, targetOf } from './tree.js';
import type { TreeNode } from './tree.js';
import { spawnWorker } from './workers.js';
import { FerryError, errorMessage } from '../util/errors.js';

/** Same shape as a backup's: bytes written (holes count as written) of the snapshot's total. */
export type RestoreProgress = BackupProgress;

export interface RestoreOptions {
  onProgress?: (p: RestoreProgress) => void;
  onWarning?: (message: string) => void;
  signal?: AbortSignal;
  workers?: number;
}

export interface RestoreResult {
  snapshotId: string;
  totalBytes: number;
  files: number;
  dirs: number;
  durationMs: number;
}

/** Files per window; also bounds the files open at once (two windows: one being written, the next being planned). */
const WINDOW_FILES = 256;
const WINDOW_BYTES = 64 * 1024 * 1024;
const RANGE_BYTES = 8 * 1024 * 1024;
/** Read past a gap this small rather than issue another read. */
const RANGE_GAP_BYTES = 256 * 1024;
const JOBS_PER_WORKER = 2;
/**
 * Ranges read ahead of the one being handed to a worker: many, because a window of small files has many small
 * ranges and each read is a trip through libuv's pool; few bytes, because a window of large files has 8 MiB ones.
 */
const READ_AHEAD = 8;
const READ_AHEAD_BYTES = 3 * RANGE_BYTES;
const PROGRESS_EVERY_MS = 1000;

/**
 * Node takes times as float seconds and truncates to whole nanoseconds; a double holds about 0.24 µs at today's
 * epoch, so aiming at the middle of the microsecond restores it exactly (sub-microsecond digits are lost).
 */
const nsToSeconds = (ns: string): number => (Number(BigInt(ns) / 1000n) + 0.5) / 1e6;

interface WorkerSlot {
  worker: Worker;
  jobs: number;
  /** Raw bytes of its jobs in flight: the next range goes to the worker with the least. */
  pending: number;
}

interface FileState {
  path: Buffer;
  /** Path inside the snapshot, for messages. */
  display: string;
  node: TreeNode;
  /** Open from creation until its metadata is applied. */
  fd?: number;
  /** Blob writes not yet acknowledged by a worker. */
  remaining: number;
  failure?: string;
}

interface PlannedBlob {
  file: FileState;
  id: Buffer;
  loc: BlobLocation;
  offset: number;
}

/** Blobs of one pack read with one request. */
interface Range {
  blobs: PlannedBlob[];
  key: string;
  start: number;
  end: number;
}

interface Job {
  files: FileState[];
  targets: number[];
  worker: WorkerSlot;
  /** Raw bytes of the job's blob writes. */
  bytes: number;
}

class Restorer {
  readonly counters = { bytesDone: 0, files: 0, dirs: 0 };
  readonly failures: { path: string; message: string }[] = [];
  private readonly dirs: { path: Buffer; node: TreeNode }[] = [];
  private readonly linkFirst = new Map<string, Buffer>();
  private readonly links: { from: Buffer; to: Buffer }[] = [];
  private window: PlannedBlob[] = [];
  /** The last window queued: read and written while the next one is planned. */
  private flushing: Promise<void> = Promise.resolve();
  private windowFiles = 0;
  private windowBytes = 0;
  private chownWarned = false;
  private readonly workers: WorkerSlot[] = [];
  /** Files created and not yet finished: a failed restore closes them. */
  private readonly open = new Set<FileState>();
  private readonly jobs = new Map<number, Job>();
  private nextJob = 0;
  private readonly slotFree: (() => void)[] = [];
  private readonly allDone: (() => void)[] = [];
  private failure: Error | undefined;

  constructor(
    private readonly repo: Repository,
    private readonly options: RestoreOptions,
  ) {}

  async restoreDir(path: Buffer, display: string, tree: string): Promise<void> {
    this.options.signal?.throwIfAborted();
    if (this.failure !== undefined) throw this.failure;
    const nodes = decodeTree(await this.repo.readBlob(Buffer.from(tree, 'hex')));
    for (const node of nodes) {
      const name = nameOf(node);
      const childPath = joinPath(path, name);
      const childDisplay = display === '' ? displayName(name) : `${display}/${displayName(name)}`;
      switch (node.type) {
        case 'dir':
          this.counters.dirs++;
          makeDir(childPath);
          this.dirs.push({ path: childPath, node });
          await this.restoreDir(childPath, childDisplay, node.subtree ?? '');
          break;
        case 'file':
          await this.restoreFile(childPath, childDisplay, node);
          break;
        case 'symlink':
          replace(childPath, () => {
            symlinkSync(targetOf(node), childPath);
          });
          this.applyMeta(childPath, node);
          break;
        default:
          this.options.onWarning?.(`${childDisplay}: ${node.type} not restored (only files, directories and symlinks are)`);
      }
    }
  }

  private async restoreFile(path: Buffer, display: string, node: TreeNode): Promise<void> {
    this.counters.files++;
    if (node.dev !== undefined) {
      const key = `${node.dev}:${node.ino}`;
      const first = this.linkFirst.get(key);
      if (first !== undefined) {
        this.links.push({ from: first, to: path });
        return;
      }
      this.linkFirst.set(key, path);
    }
    const file: FileState = { path, display, node, remaining: 0 };
    const blobs: PlannedBlob[] = [];
    let offset = 0;
    for (const item of node.content ?? []) {
      if (typeof item === 'number') {
        offset += item;
        this.counters.bytesDone += item;
        continue;
      }
      const id = Buffer.from(item, 'hex');
      const loc = this.repo.index.get(id);
      if (loc === undefined) {
        file.failure ??= `blob ${item} is not in the repository index`;
        continue;
      }
      blobs.push({ file, id, loc, offset });
      offset += loc.rawLength;
    }
    if (blobs.length === 0) {
      // Empty (or all holes, or nothing readable): no worker involved.
      file.fd = createFile(path, node.size);
      this.finishFile(file);
      return;
    }
    try {
      // The writes give a file its size unless it ends in a hole: only then is it set up front.
      const endsInData = typeof node.content?.at(-1) === 'string' && offset === node.size;
      file.fd = createFile(path, endsInData ? 0 : node.size);
    } catch (err) {
      file.failure ??= errorMessage(err);
      this.finishFile(file);
      return;
    }
    this.open.add(file);
    file.remaining = blobs.length;
    this.window.push(...blobs);
    this.windowFiles++;
    this.windowBytes += offset;
    if (this.windowFiles >= WINDOW_FILES || this.windowBytes >= WINDOW_BYTES) await this.queueWindow();
  }

  /**
   * Queues the window to be flushed after the one before it, and waits for that one only: so the next window's
   * files are created while this one is read and written, rather than the workers waiting for them.
   */
  private async queueWindow(): Promise<void> {
    const planned = this.window;
    this.window = [];
    this.windowFiles = 0;
    this.windowBytes = 0;
    const previous = this.flushing;
    this.flushing = settledLater(previous.then(() => this.flushWindow(planned)));
    await previous;
  }

  /**
   * Reads the window's blobs pack by pack in contiguous ranges, several ranges ahead (so a storage with latency
   * keeps the workers busy), and hands each range to a worker.
   */
  private async flushWindow(planned: PlannedBlob[]): Promise<void> {
    planned.sort((a, b) => a.loc.pack - b.loc.pack || a.loc.offset - b.loc.offset);
    const ranges: Range[] = [];
    let i = 0;
    while (i < planned.length) {
      const first = planned[i] as PlannedBlob;
      let end = first.loc.offset + first.loc.sealedLength;
      let j = i + 1;
      for (; j < planned.length; j++) {
        const next = planned[j] as PlannedBlob;
        if (next.loc.pack !== first.loc.pack || next.loc.offset > end + RANGE_GAP_BYTES) break;
        const nextEnd = Math.max(end, next.loc.offset + next.loc.sealedLength);
        if (nextEnd - first.loc.offset > RANGE_BYTES && next.loc.offset >= end) break;
        end = nextEnd;
      }
      ranges.push({ blobs: planned.slice(i, j), key: packKey(this.repo.index.packIds[first.loc.pack] ?? ''), start: first.loc.offset, end });
      i = j;
    }
    if (ranges.length > 0 && this.workers.length === 0) this.startWorkers();
    const reading: Promise<Uint8Array | undefined>[] = [];
    let next = 0;
    /** Bytes of the ranges in `reading`. */
    let ahead = 0;
    for (const range of ranges) {
      for (let r = ranges[next]; r !== undefined && (reading.length === 0 || (reading.length < READ_AHEAD && ahead + r.end - r.start <= READ_AHEAD_BYTES)); r = ranges[++next]) {
        reading.push(settledLater(this.readRange(r)));
        ahead += r.end - r.start;
      }
      ahead -= range.end - range.start;
      await this.dispatchRange(range, await reading.shift());
    }
  }

  /** The range's bytes, or undefined when they cannot be read: its files then fail (and get a job to close them). */
  private async readRange({ blobs, key, start, end }: Range): Promise<Uint8Array | undefined> {
    try {
      return await this.repo.storage.getRange(key, start, end - start, this.options.signal === undefined ? {} : { signal: this.options.signal });
    } catch (err) {
      this.options.signal?.throwIfAborted();
      for (const blob of blobs) blob.file.failure ??= `cannot read pack ${key}: ${errorMessage(err)}`;
      return undefined;
    }
  }

  private async dispatchRange({ blobs, key, start }: Range, data: Uint8Array | undefined): Promise<void> {
    const slot = await this.nextSlot();
    // A transferred buffer must be one the range owns whole (a Buffer's slice() would be a view, hence the copy).
    const buffer = data === undefined ? new ArrayBuffer(0) : data.byteOffset === 0 && data.buffer.byteLength === data.length ? (data.buffer as ArrayBuffer) : new Uint8Array(data).buffer;
    const files: FileState[] = [];
    const fileNumbers = new Map<FileState, number>();
    const writes: BlobWrite[] = [];
    const targets: number[] = [];
    let bytes = 0;
    let last: { id: Buffer; write: BlobWrite } | undefined;
    for (const blob of blobs) {
      let n = fileNumbers.get(blob.file);
      if (n === undefined) {
        n = files.push(blob.file) - 1;
        fileNumbers.set(blob.file, n);
        targets.push(0);
      }
      targets[n] = (targets[n] ?? 0) + 1;
      bytes += blob.loc.rawLength;
      if (data === undefined) continue;
      // Blobs are sorted by position, so the uses of one blob (by several files or offsets) are adjacent.
      if (last === undefined || !last.id.equals(blob.id)) {
        last = { id: blob.id, write: { at: blob.loc.offset - start, sealedLength: blob.loc.sealedLength, rawLength: blob.loc.rawLength, flags: blob.loc.flags, id: blob.id, targets: [] } };
        writes.push(last.write);
      }
      last.write.targets.push(n, blob.offset);
    }
    const job: RestoreJob = { jobId: this.nextJob++, data: buffer, packKey: key, fds: files.map((f) => f.fd ?? -1), blobs: writes };
    slot.jobs++;
    slot.pending += bytes;
    this.jobs.set(job.jobId, { files, targets, worker: slot, bytes });
    slot.worker.postMessage(job, [job.data]);
  }

  /** Waits until a worker has room for another job, and picks the one with the least to write. */
  private async nextSlot(): Promise<WorkerSlot> {
    for (;;) {
      if (this.failure !== undefined) throw this.failure;
      this.options.signal?.throwIfAborted();
      const free = this.workers.filter((w) => w.jobs < JOBS_PER_WORKER);
      if (free.length > 0) return free.reduce((a, b) => (b.pending < a.pending ? b : a));
      await new Promise<void>((resolve) => this.slotFree.push(resolve));
    }
  }

  private startWorkers(): void {
    const init: RestoreWorkerInit = { encryptionKey: this.repo.key.encryption };
    for (let i = 0; i < (this.options.workers ?? availableParallelism()); i++) {
      const worker = spawnWorker('restore-worker', init);
      const slot = { worker, jobs: 0, pending: 0 };
      worker.on('message', (reply: RestoreReply) => {
        this.onReply(reply);
      });
      worker.on('error', (err) => {
        this.fail(err);
      });
      this.workers.push(slot);
    }
  }

  private onReply(reply: RestoreReply): void {
    const job = this.jobs.get(reply.jobId);
    if (job === undefined) return;
    this.jobs.delete(reply.jobId);
    job.worker.jobs--;
    job.worker.pending -= job.bytes;
    const failed = new Map(reply.failures.map((f) => [f.file, f.message]));
    job.files.forEach((file, n) => {
      this.counters.bytesDone += reply.written[n] ?? 0;
      const failure = failed.get(n);
      if (failure !== undefined) file.failure ??= failure;
      file.remaining -= job.targets[n] ?? 0;
      if (file.remaining === 0) this.finishFile(file);
    });
    for (const wake of this.slotFree.splice(0)) wake();
    if (this.jobs.size === 0) for (const wake of this.allDone.splice(0)) wake();
  }

  /** Called once every write to the file is done, or at once when it needs none or could not be created. */
  private finishFile(file: FileState): void {
    const { fd } = file;
    if (fd !== undefined) {
      this.open.delete(file);
      try {
        if (file.failure === undefined) this.applyMeta(fd, file.node);
      } catch (err) {
        file.failure = errorMessage(err);
      } finally {
        closeSync(fd);
      }
    }
    if (file.failure !== undefined) {
      this.failures.push({ path: file.display, message: file.failure });
      try {
        unlinkSync(file.path);
      } catch {
        // Already gone: nothing to undo.
      }
    }
  }

  private warnChown(): void {
    if (!this.chownWarned) this.options.onWarning?.('ownership not restored: only root may set it');
    this.chownWarned = true;
  }

  /** Ownership, mode and mtime, by path (symlinks themselves, not their targets) or by an open file's descriptor. */
  applyMeta(file: Buffer | number, node: TreeNode): void {
    const byFd = typeof file === 'number';
    try {
      if (byFd) fchownSync(file, node.uid, node.gid);
      else lchownSync(file, node.uid, node.gid);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
      this.warnChown();
    }
    const mtime = nsToSeconds(node.mtimeNs);
    if (byFd) {
      fchmodSync(file, node.mode);
      futimesSync(file, mtime, mtime);
    } else {
      if (node.type !== 'symlink') chmodSync(file, node.mode);
      lutimesSync(file, mtime, mtime);
    }
  }

  private fail(err: unknown): void {
    this.failure ??= asError(err);
    for (const wake of [...this.slotFree.splice(0), ...this.allDone.splice(0)]) wake();
  }

  /** Waits for every job, then links hard links and applies directory metadata. */
  async finish(root: Buffer, rootNode: TreeNode): Promise<void> {
    await this.queueWindow();
    await this.flushing;
    while (this.jobs.size > 0 && this.failure === undefined) await new Promise<void>((resolve) => this.allDone.push(resolve));
    if (this.failure !== undefined) throw this.failure;
    for (const { from, to } of this.links) {
      replace(to, () => {
        linkSync(from, to);
      });
    }
    for (const { path, node } of this.dirs.reverse()) this.applyMeta(path, node);
    this.applyMeta(root, rootNode);
  }

  async close(): Promise<void> {
    // After a failure or cancel a window may still be flushing: it stops at its next step, and nothing may read
    // or hand out writes once the restore has returned.
    this.fail(new Error('the restore has stopped'));
    await this.flushing.catch(() => undefined);
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
    // Left open only after a failure or cancel: files whose last job never came back.
    for (const { fd } of this.open) if (fd !== undefined) closeSync(fd);
  }
}

/** Creates (or truncates) a regular file at `size`, replacing a symlink in the way rather than following it. */
function createFile(path: Buffer, size: number): number {
  let fd = -1;
  replace(path, () => {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600);
  });
  if (size === 0) return fd;
  try {
    ftruncateSync(fd, size);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  return fd;
}

function makeDir(path: Buffer): void {
  try {
    mkdirSync(path, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

/** Runs `create`; if something is in the way (not a directory), removes it and tries once more. */
function replace(path: Buffer, create: () => void): void {
  try {
    create();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST' && code !== 'ELOOP') throw err;
    unlinkSync(path);
    create();
  }
}

export async function restoreSnapshot(repo: Repository, snapshotId: string, targetDir: string, options: RestoreOptions = {}): Promise<RestoreResult> {
  const started = performance.now();
  const { signal, onProgress } = options;
  signal?.throwIfAborted();
  await repo.loadIndex();
  const snapshot = await findSnapshot(repo, snapshotId);
  const rootNode = await loadRootNode(repo, snapshot.tree);
  const root = Buffer.from(resolve(targetDir));
  mkdirSync(root, { recursive: true });
  const restorer = new Restorer(repo, options);
  const report = (): void => onProgress?.({ totalBytes: snapshot.totalBytes, bytesDone: restorer.counters.bytesDone, files: restorer.counters.files });
  const timer = onProgress ? setInterval(report, PROGRESS_EVERY_MS) : undefined;
  try {
    await restorer.restoreDir(root, '', rootNode.subtree ?? '');
    await restorer.finish(root, rootNode);
    report();
  } catch (err) {
    if (signal?.aborted === true) throw canceled();
    throw err;
  } finally {
    clearInterval(timer);
    await restorer.close();
  }
  if (restorer.failures.length > 0) {
    const list = restorer.failures.slice(0, 5).map((f) => `${f.path}: ${f.message}`).join('; ');
    const more = restorer.failures.length > 5 ? ` (and ${restorer.failures.length - 5} more)` : '';
    throw new FerryError('IntegrityMismatch', `${restorer.failures.length} file(s) not restored: ${list}${more}`, {
      hint: 'everything else was restored; for damaged blobs, `ferry repo check --read-data` lists all the damage',
    });
  }
  const { files, dirs } = restorer.counters;
  return { snapshotId: snapshot.id, totalBytes: snapshot.totalBytes, files, dirs, durationMs: Math.round(performance.now() - started) };
}
