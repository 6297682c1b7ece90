/**
 * Worker thread of a backup: reads files, cuts them into chunks (trying a changed file's chunks from the parent
 * snapshot first, see parent-chunks.ts), hashes each chunk and, when its id is not known yet, compresses and seals
 * it. Files are read straight into the chunker's WebAssembly memory, where its scan is fastest. Files are
 * processed in the order they come, each from start to end, so a file's chunks reach the main thread in order. The
 * worker blocks (Atomics.wait) when the main thread has not consumed its earlier messages, which bounds the memory
 * in flight.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { IdSet } from './blob-index.js';
import { Chunker } from './chunker.js';
import { BlobCompressor } from './compress.js';
import { blobId, NONCE_BYTES, SEAL_OVERHEAD, sealInto } from './crypto.js';
import { FLAG_COMPRESSED } from './pack.js';
import { HOLE } from './chunk-protocol.js';
import type { BatchMessage, ChunkWorkerInit, FileJob, FileResult, ResultMessage } from './chunk-protocol.js';
import { ParentChunks } from './parent-chunks.js';

const init = workerData as ChunkWorkerInit;
const port = parentPort;
if (port === null) throw new Error('chunk-worker must run in a worker thread');

const chunker = new Chunker(init.chunker, Buffer.from(init.chunker.seed, 'hex'));
const { maxBytes } = init.chunker;
const compressor = new BlobCompressor(init.compressionLevel);
const known = new IdSet(init.knownIds);
const signal = new Int32Array(init.signal);
let allocated = 0;
/** Ids this worker sealed recently: duplicates inside one backup (copies of a file) skip the work too. */
let recent = new Set<string>();
const RECENT_LIMIT = 100_000;
/** A result buffer holds at least one sealed maximum-size chunk; results are sent when the next might not fit. */
const OUTPUT_BYTES = maxBytes + SEAL_OVERHEAD + 64 * 1024;
const zeros = new Uint8Array(maxBytes);
/** The chunker needs `maxBytes` ahead of each cut; the extra 2 MiB keeps reads large between compactions. */
const input = chunker.fastBuffer(maxBytes + 2 * 1024 * 1024);

/**
 * Node 20's cipher returns a fresh buffer per update, freed only when V8 collects the small object holding it,
 * and V8 lets such external memory grow by tens of MiB before it does. A young-generation collection after every
 * few MiB of output (about a millisecond) keeps that garbage, and the process's RSS, small.
 */
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as (options: { type: 'minor' }) => void;
const COLLECT_EVERY_BYTES = 16 * 1024 * 1024;
let sinceCollect = 0;

let out = newOutput();
let files: FileResult[] = [];
let bytesRead = 0;

/** An output buffer: a new one while fewer than `init.buffers` exist, else one the main thread gave back. */
function newOutput(): { buffer: Buffer; used: number } {
  if (allocated < init.buffers) {
    allocated++;
    return { buffer: Buffer.from(new ArrayBuffer(OUTPUT_BYTES)), used: 0 };
  }
  for (;;) {
    const seen = Atomics.load(signal, 0);
    if (Atomics.load(signal, 1) !== 0) throw new Error('backup stopped');
    const returned = receiveMessageOnPort(init.returns);
    if (returned !== undefined) return { buffer: Buffer.from(returned.message as ArrayBuffer), used: 0 };
    Atomics.wait(signal, 0, seen);
  }
}

function emptyResult(fileId: number): FileResult {
  return { fileId, done: false, ids: new Uint8Array(0), rawLengths: [], sealedLengths: [], flags: [] };
}

function post(): void {
  if (files.length === 0) return;
  const data = out.buffer.buffer as ArrayBuffer;
  const message: ResultMessage = { files, data, bytesRead };
  port?.postMessage(message, [data]);
  out = newOutput();
  files = [];
  bytesRead = 0;
}

function isZero(chunk: Uint8Array): boolean {
  return chunk[0] === 0 && chunk[chunk.length - 1] === 0 && Buffer.compare(chunk, zeros.subarray(0, chunk.length)) === 0;
}

/** Whether a full zero chunk starts at `start`: then the cut is known without hashing (sparse files are fast). */
function zeroRun(start: number, end: number): boolean {
  const length = chunker.zeroChunkBytes;
  return end - start >= length && isZero(input.subarray(start, start + length));
}

function processFile({ fileId, path, parent: hint }: FileJob): void {
  let result = emptyResult(fileId);
  const ids: Uint8Array[] = [];
  files.push(result);
  const flushFile = (done: boolean): void => {
    result.ids = Buffer.concat(ids);
    result.done = done;
    ids.length = 0;
    if (!done) {
      post();
      result = emptyResult(fileId);
      files.push(result);
    }
  };
  let fd: number;
  try {
    fd = openSync(Buffer.from(path), 'r');
  } catch (err) {
    result.error = { code: (err as NodeJS.ErrnoException).code ?? 'EIO', message: (err as Error).message };
    flushFile(true);
    return;
  }
  const parent = hint === undefined ? undefined : new ParentChunks(hint);
  try {
    let start = 0;
    let end = 0;
    let offset = 0;
    let eof = false;
    for (;;) {
      if (!eof && end - start < maxBytes) {
        input.copyWithin(0, start, end);
        end -= start;
        start = 0;
        while (!eof && end < input.length) {
          const n = readSync(fd, input, end, input.length - end, null);
          if (n === 0) eof = true;
          end += n;
          bytesRead += n;
        }
      }
      if (start === end) break;
      let id: Buffer | undefined;
      let cut = -1;
      const guess = parent?.guess(end - start, eof) ?? 0;
      if (guess > 0) {
        id = blobId(init.idKey, input.subarray(start, start + guess));
        if (parent?.confirm(id) === true) cut = start + guess;
        else id = undefined;
      }
      const guessed = cut >= 0;
      if (!guessed) cut = zeroRun(start, end) ? start + chunker.zeroChunkBytes : chunker.cut(input, start, end);
      const chunk = input.subarray(start, cut);
      start = cut;
      offset += chunk.length;
      // Send what is done before this chunk might not fit, so every list in a result describes the same chunks.
      if (out.used + chunk.length + SEAL_OVERHEAD > out.buffer.length) flushFile(false);
      result.rawLengths.push(chunk.length);
      if (!guessed && isZero(chunk)) {
        parent?.resync(offset, undefined);
        result.sealedLengths.push(HOLE);
        result.flags.push(0);
        continue;
      }
      id ??= blobId(init.idKey, chunk);
      if (!guessed) parent?.resync(offset, id);
      ids.push(id);
      const hex = id.toString('latin1');
      if (known.has(id) || recent.has(hex)) {
        result.sealedLengths.push(0);
        result.flags.push(0);
        continue;
      }
      if (recent.size >= RECENT_LIMIT) recent = new Set();
      recent.add(hex);
      // Compressed in place where its ciphertext goes: sealing reads each slice before overwriting it.
      const at = out.used;
      const compressedSize = compressor.compressInto(out.buffer.subarray(at + NONCE_BYTES), chunk);
      const plain = compressedSize < 0 ? chunk : out.buffer.subarray(at + NONCE_BYTES, at + NONCE_BYTES + compressedSize);
      const sealedLength = sealInto(out.buffer, at, init.encryptionKey, plain, id);
      out.used += sealedLength;
      sinceCollect += sealedLength;
      if (sinceCollect >= COLLECT_EVERY_BYTES) {
        sinceCollect = 0;
        collectGarbage({ type: 'minor' });
      }
      result.sealedLengths.push(sealedLength);
      result.flags.push(compressedSize < 0 ? 0 : FLAG_COMPRESSED);
    }
  } catch (err) {
    result.error = { code: (err as NodeJS.ErrnoException).code ?? 'EIO', message: (err as Error).message };
  } finally {
    closeSync(fd);
  }
  flushFile(true);
}

port.on('message', (message: BatchMessage) => {
  for (const file of message.files) processFile(file);
  post();
});
