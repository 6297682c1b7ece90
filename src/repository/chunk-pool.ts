/**
 * The backup's worker pool: queues files, hands them to chunk workers in batches (many small files per message),
 * and feeds the sealed blobs that come back into the `BlobWriter` in order. Results are applied one message at a
 * time; a worker may run ahead by a few result buffers only, so memory stays bounded however big the files.
 */
import { MessageChannel } from 'node:worker_threads';
import type { MessagePort, Worker } from 'node:worker_threads';
import { ID_BYTES } from './crypto.js';
import type { BlobWriter } from './blob-writer.js';
import { HOLE } from './chunk-protocol.js';
import type { ChunkWorkerInit, FileJob, ParentHint, ResultMessage } from './chunk-protocol.js';
import type { ContentItem } from './tree.js';
import type { Repository } from './repository.js';
import { spawnWorker } from './workers.js';
import { asError } from './failure.js';

export interface FileChunks {
  content: ContentItem[];
  /** Bytes read. */
  size: number;
  /** Raw bytes of chunks that were new to the repository. */
  newBytes: number;
}

/** A file that could not be read: the caller decides whether that is fatal. */
export class FileReadError extends Error {
  override readonly name = 'FileReadError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface Pending {
  job: FileJob;
  sizeHint: number;
  content: ContentItem[];
  size: number;
  newBytes: number;
  resolve: (chunks: FileChunks) => void;
  reject: (err: unknown) => void;
}

interface Slot {
  worker: Worker;
  /** Gives result buffers back to the worker. */
  returns: MessagePort;
  signal: Int32Array;
  /** Batches sent and not completely answered. */
  batches: number;
}

/** Result buffers per worker (4 MiB + one chunk each): how far a worker may run ahead of the main thread. */
const BUFFERS_PER_WORKER = 2;
const BATCH_FILES = 128;
const BATCH_BYTES = 16 * 1024 * 1024;
const MAX_BATCHES_PER_WORKER = 2;
const QUEUE_LIMIT = 256;

export class ChunkPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private readonly inFlight = new Map<number, Pending>();
  private readonly batchFiles = new Map<Slot, number[][]>();
  private nextId = 0;
  private queuedBytes = 0;
  private dispatchScheduled = false;
  private chain: Promise<void> = Promise.resolve();
  private failure: Error | undefined;
  private readonly waiters: (() => void)[] = [];

  constructor(
    private readonly repo: Repository,
    private readonly writer: BlobWriter,
    private readonly options: { workers: number; onBytes: (bytes: number) => void },
  ) {}

  private start(): void {
    const { config, key, index } = this.repo;
    const knownIds = new Uint8Array(new SharedArrayBuffer(index.size * ID_BYTES));
    knownIds.set(index.idBytes());
    for (let i = 0; i < this.options.workers; i++) {
      const signal = new Int32Array(new SharedArrayBuffer(8));
      const { port1, port2 } = new MessageChannel();
      const init: ChunkWorkerInit = {
        chunker: config.chunker,
        compressionLevel: config.compressionLevel,
        encryptionKey: key.encryption,
        idKey: key.id,
        knownIds,
        returns: port2,
        buffers: BUFFERS_PER_WORKER,
        signal: signal.buffer,
      };
      const slot: Slot = { worker: spawnWorker('chunk-worker', init, [port2]), returns: port1, signal, batches: 0 };
      slot.worker.on('message', (message: ResultMessage) => {
        this.chain = this.chain.then(() => this.apply(slot, message)).catch((err: unknown) => { this.fail(err); });
      });
      slot.worker.on('error', (err) => { this.fail(err); });
      this.slots.push(slot);
      this.batchFiles.set(slot, []);
    }
  }

  /** Waits until the queue has room; call before `add` to keep the walk from running far ahead. */
  async ready(): Promise<void> {
    while (this.queue.length >= QUEUE_LIMIT && this.failure === undefined) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    if (this.failure !== undefined) throw this.failure;
  }

  /** Queues a file; `parent` is its content in the parent snapshot, whose cut points the worker tries first. */
  add(path: Uint8Array, sizeHint: number, parent?: readonly ContentItem[]): Promise<FileChunks> {
    if (this.slots.length === 0) this.start();
    const chunks = new Promise<FileChunks>((resolve, reject) => {
      const job: FileJob = { fileId: this.nextId++, path };
      if (parent !== undefined && parent.length > 0) job.parent = this.hint(parent);
      this.queue.push({ job, sizeHint, content: [], size: 0, newBytes: 0, resolve, reject });
      this.queuedBytes += sizeHint;
      this.scheduleDispatch();
    });
    // After a failure every queued file is rejected at once, before the walk gets to await it.
    chunks.catch(() => undefined);
    return chunks;
  }

  private hint(content: readonly ContentItem[]): ParentHint {
    const ids = new Uint8Array(content.length * ID_BYTES);
    const lengths = content.map((item, i) => {
      if (typeof item === 'number') return -item;
      const id = Buffer.from(item, 'hex');
      ids.set(id, i * ID_BYTES);
      return this.repo.index.get(id)?.rawLength ?? 0;
    });
    return { ids, lengths };
  }

  /**
   * Sends a batch at once when a full one is queued, else when the walk next yields: sending each small file as it
   * comes made one-file batches, and workers then waited on the busy main thread between them.
   */
  private scheduleDispatch(): void {
    if (this.queue.length >= BATCH_FILES || this.queuedBytes >= BATCH_BYTES) {
      this.dispatch();
      return;
    }
    if (this.dispatchScheduled) return;
    this.dispatchScheduled = true;
    setImmediate(() => {
      this.dispatchScheduled = false;
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (;;) {
      if (this.queue.length === 0 || this.failure !== undefined || this.slots.length === 0) return;
      const slot = this.slots.reduce((a, b) => (b.batches < a.batches ? b : a));
      if (slot.batches >= MAX_BATCHES_PER_WORKER) return;
      const batch: FileJob[] = [];
      let bytes = 0;
      while (this.queue.length > 0 && batch.length < BATCH_FILES && bytes < BATCH_BYTES) {
        const next = this.queue.shift() as Pending;
        batch.push(next.job);
        bytes += next.sizeHint;
        this.queuedBytes -= next.sizeHint;
        this.inFlight.set(next.job.fileId, next);
      }
      slot.batches++;
      this.batchFiles.get(slot)?.push(batch.map((f) => f.fileId));
      slot.worker.postMessage({ files: batch });
      while (this.waiters.length > 0 && this.queue.length < QUEUE_LIMIT) this.waiters.shift()?.();
    }
  }

  private async apply(slot: Slot, message: ResultMessage): Promise<void> {
    const data = new Uint8Array(message.data);
    let at = 0;
    for (const result of message.files) {
      const pending = this.inFlight.get(result.fileId);
      if (pending === undefined) continue;
      let idAt = 0;
      for (let i = 0; i < result.rawLengths.length; i++) {
        const rawLength = result.rawLengths[i] as number;
        const sealedLength = result.sealedLengths[i] as number;
        pending.size += rawLength;
        if (sealedLength === HOLE) {
          // Adjacent holes merge, so a sparse 100 GiB file lists one number per hole, not one per chunk.
          const last = pending.content.at(-1);
          if (typeof last === 'number') pending.content[pending.content.length - 1] = last + rawLength;
          else pending.content.push(rawLength);
          continue;
        }
        const id = result.ids.subarray(idAt, idAt + ID_BYTES);
        idAt += ID_BYTES;
        pending.content.push(Buffer.from(id).toString('hex'));
        if (sealedLength > 0) {
          const sealed = data.subarray(at, at + sealedLength);
          at += sealedLength;
          if (await this.writer.addSealed(result.flags[i] as number, id, sealed, rawLength)) pending.newBytes += rawLength;
        }
      }
      if (!result.done) continue;
      this.inFlight.delete(result.fileId);
      if (result.error) pending.reject(new FileReadError(result.error.code, result.error.message));
      else pending.resolve({ content: pending.content, size: pending.size, newBytes: pending.newBytes });
      this.finishFile(slot, result.fileId);
    }
    this.options.onBytes(message.bytesRead);
    slot.returns.postMessage(message.data, [message.data]);
    Atomics.add(slot.signal, 0, 1);
    Atomics.notify(slot.signal, 0);
  }

  private finishFile(slot: Slot, fileId: number): void {
    const batches = this.batchFiles.get(slot) ?? [];
    const first = batches[0];
    if (first?.at(-1) !== fileId) return;
    batches.shift();
    slot.batches--;
    this.dispatch();
  }

  private fail(err: unknown): void {
    this.failure ??= asError(err);
    for (const pending of [...this.queue, ...this.inFlight.values()]) pending.reject(this.failure);
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.inFlight.clear();
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Waits for every queued file; the writer still has to be flushed. */
  async drain(): Promise<void> {
    await this.chain;
    if (this.failure !== undefined) throw this.failure;
  }

  /** Stops the workers (also mid-file, for cancellation). */
  async close(reason?: unknown): Promise<void> {
    if (reason !== undefined) this.fail(reason);
    for (const slot of this.slots) {
      Atomics.store(slot.signal, 1, 1);
      Atomics.add(slot.signal, 0, 1);
      Atomics.notify(slot.signal, 0);
      slot.returns.close();
    }
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }
}
