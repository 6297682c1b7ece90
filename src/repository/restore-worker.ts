/**
 * Worker thread of a restore: decrypts the blobs of one pack range, decompresses them and writes each to its files
 * at its offsets, through descriptors the main thread opened.
 */
import { writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { AuthenticationError, unsealInto } from './crypto.js';
import { BlobDecompressor } from './compress.js';
import { FLAG_COMPRESSED } from './pack.js';
import type { RestoreJob, RestoreReply, RestoreWorkerInit } from './restore-protocol.js';

const init = workerData as RestoreWorkerInit;
const port = parentPort;
if (port === null) throw new Error('restore-worker must run in a worker thread');
const decompressor = new BlobDecompressor();
/** Reused for every blob: one allocation per chunk would pile up between garbage collections. */
let opened: Buffer = Buffer.allocUnsafe(1024 * 1024);
let plainBuffer: Buffer = Buffer.allocUnsafe(1024 * 1024);

function ensure(buffer: Buffer, size: number): Buffer {
  return buffer.length >= size ? buffer : Buffer.allocUnsafe(Math.max(size, buffer.length * 2));
}

function writeAll(fd: number, data: Uint8Array, position: number): void {
  let done = 0;
  while (done < data.length) done += writeSync(fd, data, done, data.length - done, position + done);
}

port.on('message', (job: RestoreJob) => {
  const data = new Uint8Array(job.data);
  const reply: RestoreReply = { jobId: job.jobId, written: job.fds.map(() => 0), failures: [] };
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
        writeAll(job.fds[file] as number, plain, blob.targets[t + 1] as number);
        reply.written[file] = (reply.written[file] ?? 0) + plain.length;
      } catch (err) {
        fail(file, (err as Error).message);
      }
    }
  }
  port.postMessage(reply);
});
