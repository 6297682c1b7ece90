/** Messages between the restore's main thread and its workers (see restore-worker.ts and restore.ts). */

export interface RestoreWorkerInit {
  encryptionKey: Uint8Array;
}

export interface BlobWrite {
  /** Where the sealed blob starts in the job's data. */
  at: number;
  sealedLength: number;
  rawLength: number;
  flags: number;
  id: Uint8Array;
  /** (file number in `fds`, offset in that file) pairs, flattened. */
  targets: number[];
}

/**
 * Main → worker: blobs of one range read from one pack, and the files they go to. The main thread created the
 * files and keeps them open (descriptors are shared by all threads) until every job writing to them is done.
 */
export interface RestoreJob {
  jobId: number;
  data: ArrayBuffer;
  /** For messages: `data/ab/abcd…`. */
  packKey: string;
  fds: number[];
  blobs: BlobWrite[];
}

/** Worker → main. */
export interface RestoreReply {
  jobId: number;
  /** Per file number: raw bytes written. */
  written: number[];
  failures: { file: number; message: string }[];
}
