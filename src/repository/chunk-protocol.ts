/** Messages between the backup's main thread and its chunking workers (see chunk-worker.ts and chunk-pool.ts). */

import type { MessagePort } from 'node:worker_threads';

export interface ChunkWorkerInit {
  chunker: { minBytes: number; avgBytes: number; maxBytes: number; seed: string };
  compressionLevel: number;
  encryptionKey: Uint8Array;
  idKey: Uint8Array;
  /** Ids already in the repository (32 bytes each): chunks with these ids are not compressed nor encrypted. */
  knownIds: Uint8Array;
  /**
   * Result buffers come back on this port once the main thread has copied the blobs out; the worker allocates at
   * most `buffers` of them, so memory in flight is bounded and big allocations are not repeated.
   */
  returns: MessagePort;
  buffers: number;
  /** Int32 [returned-counter, closing-flag]: the worker sleeps on the counter while it has no free buffer. */
  signal: SharedArrayBuffer;
}

export interface FileJob {
  fileId: number;
  /** Raw path bytes, so names that are not UTF-8 still open. */
  path: Uint8Array;
  /** The parent snapshot's chunks of this file, when it changed since: cut points to try first. */
  parent?: ParentHint;
}

/** A file's chunk list in the parent snapshot (see parent-chunks.ts). */
export interface ParentHint {
  /** 32 bytes per item, zeros for holes. */
  ids: Uint8Array;
  /** Raw length of each item; a hole of n zero bytes is -n; 0 when the length is unknown (never tried). */
  lengths: number[];
}

/** Main → worker. */
export interface BatchMessage {
  files: FileJob[];
}

/**
 * One chunk of a file, in order. `sealedLength` > 0: the sealed blob follows in the message's buffer;
 * 0: the id was known; -1: a run of zeros (no id).
 */
export interface ChunkResult {
  /** 32-byte ids of the non-hole chunks, concatenated. */
  ids: Uint8Array;
  rawLengths: number[];
  sealedLengths: number[];
  flags: number[];
}

export interface FileResult extends ChunkResult {
  fileId: number;
  /** The last message for this file. */
  done: boolean;
  error?: { code: string; message: string };
}

/** Worker → main: results for one or more files, the sealed blobs back to back at the start of `data`. */
export interface ResultMessage {
  files: FileResult[];
  data: ArrayBuffer;
  bytesRead: number;
}

export const HOLE = -1;
