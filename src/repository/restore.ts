/**
 * Restore of a snapshot into a directory.
 *
 * The main thread walks the trees, creates directories and symlinks, and plans reads: the chunks of a window of
 * files are grouped by pack and read as few contiguous ranges. Workers decrypt them and write them; each file
 * belongs to one worker, which creates it at its final size (holes stay holes), writes it and applies its
 * metadata. A file whose blob fails authentication is removed and reported; the rest is restored, and then the
 * restore fails naming every such file. Directory metadata is applied last, deepest first, so creating children
 * does not disturb their parents' mtimes.
 */
import { chmodSync, closeSync, constants, ftruncateSync, lchownSync, linkSync, lutimesSync, mkdirSync, openSync, symlinkSync, unlinkSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { loadRootNode } from './backup.js';
import type { BackupProgress } from './backup.js';
import type { BlobLocation } from './blob-index.js';
import { asError, canceled } from './failure.js';
import { packKey } from './pack.js';
import { joinPath } from './paths.js';
import type { Repository } from './repository.js';
import { nsToSeconds } from './restore-meta.js';
import type { BlobWrite, FileMeta, RestoreFileRef, RestoreJob, RestoreReply, RestoreWorkerInit } from './restore-protocol.js';
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

/** Files per window; also bounds the files a worker holds open. */
const WINDOW_FILES = 256;
const WINDOW_BYTES = 64 * 1024 * 1024;
const RANGE_BYTES = 8 * 1024 * 1024;
/** Read past a gap this small rather than issue another read. */
const RANGE_GAP_BYTES = 256 * 1024;
const JOBS_PER_WORKER = 2;
const PROGRESS_EVERY_MS = 1000;

interface WorkerSlot {
  worker: Worker;
  jobs: number;
}

interface FileState {
  path: Buffer;
  /** Path inside the snapshot, for messages. */
  display: string;
  node: TreeNode;
  /** Blob writes not yet acknowledged by the worker. */
  remaining: number;
  /** Blob writes not yet put into a job. */
  unsent: number;
  worker?: WorkerSlot;
  failure?: string;
}

interface PlannedBlob {
  file: FileState;
  id: Buffer;
  loc: BlobLocation;
  offset: number;
}

interface Job {
  files: FileState[];
  targets: number[];
  worker: WorkerSlot;
}

const metaOf = (node: TreeNode): FileMeta => ({ uid: node.uid, gid: node.gid, mode: node.mode, mtimeNs: node.mtimeNs });

class Restorer {
  readonly counters = { bytesDone: 0, files: 0, dirs: 0 };
  readonly failures: { path: string; message: string }[] = [];
  private readonly dirs: { path: Buffer; node: TreeNode }[] = [];
  private readonly linkFirst = new Map<string, Buffer>();
  private readonly links: { from: Buffer; to: Buffer }[] = [];
  private window: PlannedBlob[] = [];
  private windowFiles = 0;
  private windowBytes = 0;
  private chownWarned = false;
  private readonly workers: WorkerSlot[] = [];
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
    const file: FileState = { path, display, node, remaining: 0, unsent: 0 };
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
      replace(path, () => {
        const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600);
        try {
          ftruncateSync(fd, node.size);
        } finally {
          closeSync(fd);
        }
      });
      this.finishFile(file);
      return;
    }
    file.remaining = file.unsent = blobs.length;
    this.window.push(...blobs);
    this.windowFiles++;
    this.windowBytes += offset;
    if (this.windowFiles >= WINDOW_FILES || this.windowBytes >= WINDOW_BYTES) await this.flushWindow();
  }

  /** Reads the window's blobs pack by pack in contiguous ranges and hands each range to the files' workers. */
  async flushWindow(): Promise<void> {
    const planned = this.window;
    this.window = [];
    this.windowFiles = 0;
    this.windowBytes = 0;
    planned.sort((a, b) => a.loc.pack - b.loc.pack || a.loc.offset - b.loc.offset);
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
      await this.dispatchRange(planned.slice(i, j), first.loc.offset, end);
      i = j;
    }
  }

  private async dispatchRange(blobs: PlannedBlob[], start: number, end: number): Promise<void> {
    if (this.workers.length === 0) this.startWorkers();
    const first = blobs[0] as PlannedBlob;
    const key = packKey(this.repo.index.packIds[first.loc.pack] ?? '');
    let data: Uint8Array | undefined;
    try {
      data = await this.repo.storage.getRange(key, start, end - start, this.options.signal === undefined ? {} : { signal: this.options.signal });
    } catch (err) {
      this.options.signal?.throwIfAborted();
      // The files still get their jobs (without blobs), so their workers close them.
      for (const blob of blobs) blob.file.failure ??= `cannot read pack ${key}: ${errorMessage(err)}`;
    }
    // Each file is written by one worker; a new file goes to the least busy one.
    const groups = new Map<WorkerSlot, PlannedBlob[]>();
    const idle = this.workers.reduce((a, b) => (b.jobs < a.jobs ? b : a));
    for (const blob of blobs) {
      blob.file.worker ??= idle;
      const group = groups.get(blob.file.worker);
      if (group === undefined) groups.set(blob.file.worker, [blob]);
      else group.push(blob);
    }
    // The range goes to its first worker as is; when it is shared by two workers, the others get copies, made
    // before anything is transferred (a transferred buffer is detached here).
    const buffers = [...groups.keys()].map((_, k): ArrayBuffer => {
      if (data === undefined) return new ArrayBuffer(0);
      if (k === 0 && data.byteOffset === 0 && data.buffer.byteLength === data.length) return data.buffer as ArrayBuffer;
      return data.slice().buffer;
    });
    let k = 0;
    for (const [slot, group] of groups) await this.sendJob(slot, key, group, start, buffers[k++] as ArrayBuffer, data !== undefined);
  }

  private async sendJob(slot: WorkerSlot, key: string, blobs: PlannedBlob[], start: number, data: ArrayBuffer, readable: boolean): Promise<void> {
    const files: FileState[] = [];
    const fileNumbers = new Map<FileState, number>();
    const writes: BlobWrite[] = [];
    const targets: number[] = [];
    let last: { id: Buffer; write: BlobWrite } | undefined;
    for (const blob of blobs) {
      let n = fileNumbers.get(blob.file);
      if (n === undefined) {
        n = files.push(blob.file) - 1;
        fileNumbers.set(blob.file, n);
        targets.push(0);
      }
      targets[n] = (targets[n] ?? 0) + 1;
      blob.file.unsent--;
      if (!readable) continue;
      // Blobs are sorted by position, so the uses of one blob (by several files or offsets) are adjacent.
      if (last === undefined || !last.id.equals(blob.id)) {
        last = { id: blob.id, write: { at: blob.loc.offset - start, sealedLength: blob.loc.sealedLength, rawLength: blob.loc.rawLength, flags: blob.loc.flags, id: blob.id, targets: [] } };
        writes.push(last.write);
      }
      last.write.targets.push(n, blob.offset);
    }
    const refs: RestoreFileRef[] = files.map((f) => ({ path: f.path, size: f.node.size, ...(f.unsent === 0 ? { finish: metaOf(f.node) } : {}) }));
    await this.slotReady(slot);
    const job: RestoreJob = { jobId: this.nextJob++, data, packKey: key, files: refs, blobs: writes };
    slot.jobs++;
    this.jobs.set(job.jobId, { files, targets, worker: slot });
    slot.worker.postMessage(job, [job.data]);
  }

  private async slotReady(slot: WorkerSlot): Promise<void> {
    for (;;) {
      if (this.failure !== undefined) throw this.failure;
      this.options.signal?.throwIfAborted();
      if (slot.jobs < JOBS_PER_WORKER) return;
      await new Promise<void>((resolve) => this.slotFree.push(resolve));
    }
  }

  private startWorkers(): void {
    const init: RestoreWorkerInit = { encryptionKey: this.repo.key.encryption, createLock: new SharedArrayBuffer(4) };
    for (let i = 0; i < (this.options.workers ?? availableParallelism()); i++) {
      const worker = spawnWorker('restore-worker', init);
      const slot = { worker, jobs: 0 };
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
    if (reply.chownDenied) this.warnChown();
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

  /** Called once a file's worker is done with it (metadata applied) or it needed no worker. */
  private finishFile(file: FileState): void {
    if (file.failure !== undefined) {
      this.failures.push({ path: file.display, message: file.failure });
      try {
        unlinkSync(file.path);
      } catch {
        // Already gone: nothing to undo.
      }
      return;
    }
    if (file.worker === undefined) this.applyMeta(file.path, file.node);
  }

  private warnChown(): void {
    if (!this.chownWarned) this.options.onWarning?.('ownership not restored: only root may set it');
    this.chownWarned = true;
  }

  applyMeta(path: Buffer, node: TreeNode): void {
    try {
      lchownSync(path, node.uid, node.gid);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
      this.warnChown();
    }
    if (node.type !== 'symlink') chmodSync(path, node.mode);
    const mtime = nsToSeconds(node.mtimeNs);
    lutimesSync(path, mtime, mtime);
  }

  private fail(err: unknown): void {
    this.failure ??= asError(err);
    for (const wake of [...this.slotFree.splice(0), ...this.allDone.splice(0)]) wake();
  }

  /** Waits for every job, then links hard links and applies directory metadata. */
  async finish(root: Buffer, rootNode: TreeNode): Promise<void> {
    await this.flushWindow();
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
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
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
