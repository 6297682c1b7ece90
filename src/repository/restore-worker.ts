/**
 * Worker thread of a restore: decrypts the blobs of one pack range, decompresses them and writes each to its files
 * at its offsets. A file is created by its first job (at its final size) and kept open until the job marked
 * `finish`, which applies ownership, mode and mtime: one open per file and no thread hand-offs per file, which on
 * a small VM cost more than the writes.
 */
import { closeSync, constants, fchmodSync, fchownSync, ftruncateSync, futimesSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { AuthenticationError, unsealInto } from './crypto.js';
import { BlobDecompressor } from './compress.js';
import { FLAG_COMPRESSED } from './pack.js';
import { nsToSeconds } from './restore-meta.js';
import type { FileMeta, RestoreFileRef, RestoreJob, RestoreReply, RestoreWorkerInit } from './restore-protocol.js';

const init = workerData as RestoreWorkerInit;
const port = parentPort;
if (port === null) throw new Error('restore-worker must run in a worker thread');
const decompressor = new BlobDecompressor();
/** Reused for every blob: one allocation per chunk would pile up between garbage collections. */
let opened: Buffer = Buffer.allocUnsafe(1024 * 1024);
let plainBuffer: Buffer = Buffer.allocUnsafe(1024 * 1024);
/** Files this worker has open, by path (latin1 of the raw bytes). */
const files = new Map<string, number>();
const CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW;

function ensure(buffer: Buffer, size: number): Buffer {
  return buffer.length >= size ? buffer : Buffer.allocUnsafe(Math.max(size, buffer.length * 2));
}

function writeAll(fd: number, data: Uint8Array, position: number): void {
  let done = 0;
  while (done < data.length) done += writeSync(fd, data, done, data.length - done, position + done);
}

const createLock = new Int32Array(init.createLock);

/**
 * Creates a file while holding the workers' shared lock. The kernel creates one file at a time per directory
 * anyway, but a second creator spins on the directory's lock meanwhile; when ext4 is slow to pick an inode (right
 * after many files were deleted it skips the recently freed ones one by one), that spinning doubled a restore's
 * CPU time. Waiting here sleeps instead.
 */
function create(path: Buffer): number {
  // A bounded wait: a worker terminated while holding the lock must not leave the others asleep for good.
  while (Atomics.compareExchange(createLock, 0, 0, 1) !== 0) Atomics.wait(createLock, 0, 1, 50);
  try {
    return openSync(path, CREATE, 0o600);
  } finally {
    Atomics.store(createLock, 0, 0);
    Atomics.notify(createLock, 0, 1);
  }
}

function fileDescriptor(ref: RestoreFileRef): number {
  const key = Buffer.from(ref.path).toString('latin1');
  let fd = files.get(key);
  if (fd === undefined) {
    const path = Buffer.from(ref.path);
    try {
      fd = create(path);
    } catch (err) {
      // A symlink is in the way: replace it rather than write through it.
      if ((err as NodeJS.ErrnoException).code !== 'ELOOP') throw err;
      unlinkSync(path);
      fd = create(path);
    }
    files.set(key, fd);
    ftruncateSync(fd, ref.size);
  }
  return fd;
}

/** Applies the metadata and closes; returns false when chown was refused. */
function finish(ref: RestoreFileRef, meta: FileMeta): boolean {
  const key = Buffer.from(ref.path).toString('latin1');
  const fd = files.get(key) ?? fileDescriptor(ref);
  files.delete(key);
  let owned = true;
  try {
    try {
      fchownSync(fd, meta.uid, meta.gid);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
      owned = false;
    }
    fchmodSync(fd, meta.mode);
    const mtime = nsToSeconds(meta.mtimeNs);
    futimesSync(fd, mtime, mtime);
  } finally {
    closeSync(fd);
  }
  return owned;
}

port.on('message', (job: RestoreJob) => {
  const data = new Uint8Array(job.data);
  const reply: RestoreReply = { jobId: job.jobId, written: job.files.map(() => 0), failures: [], chownDenied: false };
  const failed = new Set<number>();
  const fail = (file: number, message: string): void => {
    if (!failed.has(file)) reply.failures.push({ file, message });
    failed.add(file);
  };
  for (const blob of job.blobs) {
    let plain: Uint8Array;
    try {
      opened = ensure(opened, blob.sealedLength);
      const length = unsealInto(opened, init.encryptionKey, data.subarray(blob.at, blob.at + blob.sealedLength), blob.id);
      if ((blob.flags & FLAG_COMPRESSED) !== 0) {
        plainBuffer = ensure(plainBuffer, blob.rawLength);
        plain = plainBuffer.subarray(0, blob.rawLength);
        decompressor.decompressInto(plain, opened.subarray(0, length));
      } else {
        plain = opened.subarray(0, length);
      }
    } catch (err) {
      const why = err instanceof AuthenticationError ? 'fails authentication' : `cannot be decoded (${(err as Error).message})`;
      for (let t = 0; t < blob.targets.length; t += 2) fail(blob.targets[t] as number, `pack ${job.packKey}: blob ${Buffer.from(blob.id).toString('hex')} ${why}`);
      continue;
    }
    for (let t = 0; t < blob.targets.length; t += 2) {
      const file = blob.targets[t] as number;
      try {
        writeAll(fileDescriptor(job.files[file] as RestoreFileRef), plain, blob.targets[t + 1] as number);
        reply.written[file] = (reply.written[file] ?? 0) + plain.length;
      } catch (err) {
        fail(file, (err as Error).message);
      }
    }
  }
  job.files.forEach((ref, file) => {
    if (ref.finish === undefined) return;
    try {
      if (!finish(ref, ref.finish)) reply.chownDenied = true;
    } catch (err) {
      fail(file, (err as Error).message);
    }
  });
  port.postMessage(reply);
});
