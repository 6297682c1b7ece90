/** Messages between the restore's main thread and its workers (see restore-worker.ts and restore.ts). */

export interface RestoreWorkerInit {
  encryptionKey: Uint8Array;
  /** Int32 [held]: one worker creates a file at a time (see restore-worker.ts). */
  createLock: SharedArrayBuffer;
}

export interface BlobWrite {
  /** Where the sealed blob starts in the job's data. */
  at: number;
  sealedLength: number;
  rawLength: number;
  flags: number;
  id: Uint8Array;
  /** (file number in `files`, offset in that file) pairs, flattened. */
  targets: number[];
}

/** Ownership, permissions and mtime, applied when a file's last blob is written. */
export interface FileMeta {
  uid: number;
  gid: number;
  mode: number;
  mtimeNs: string;
}

export interface RestoreFileRef {
  path: Uint8Array;
  /** Final size: a new file is created at this size, so holes stay holes. */
  size: number;
  /** Set on the job with the file's last blobs: the worker then applies the metadata and closes the file. */
  finish?: FileMeta;
}

/**
 * Main → worker: blobs of one range read from one pack. Every job of a file goes to the same worker, in order,
 * so the worker creates the file on its first job and closes it on the one marked `finish`.
 */
export interface RestoreJob {
  jobId: number;
  data: ArrayBuffer;
  /** For messages: `data/ab/abcd…`. */
  packKey: string;
  files: RestoreFileRef[];
  blobs: BlobWrite[];
}

/** Worker → main. */
export interface RestoreReply {
  jobId: number;
  /** Per file number: raw bytes written. */
  written: number[];
  failures: { file: number; message: string }[];
  /** A chown was refused (not running as root): ownership is not restored. */
  chownDenied: boolean;
}
