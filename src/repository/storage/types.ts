/**
 * @module repository/storage
 * A blob store holds the repository's immutable objects under slash-separated keys (`data/ab/abcdef…`,
 * `index/…`, `snapshots/…`, `keys/…`, `locks/…`, `config`). Implementations: filesystem and S3-compatible.
 *
 * Contract, which the conformance suite checks for every implementation:
 * - `put` is atomic: a reader sees either no object or the whole object, never a part, even after a crash.
 *   Writing a key that exists replaces it (callers only do so for `locks/`); with `ifAbsent` it fails with
 *   `StorageError` code `Exists` instead.
 * - `get` of a missing key fails with `StorageError` code `NotFound`, which is permanent (retrying cannot help).
 * - `getRange` returns exactly `length` bytes; a range running past the end of the object fails with code
 *   `NotFound` (a short read would otherwise look like valid data).
 * - `stat` of a missing key resolves to `undefined`; `delete` of a missing key succeeds (deletes are idempotent,
 *   so a retried delete cannot fail).
 * - `list(prefix)` yields every key that starts with the prefix (a plain string prefix: `data/` or `data/a`),
 *   with sizes, in no particular order.
 * - Keys are relative slash-separated paths (`keys.ts`): no empty, `.` or `..` segment, no leading `/`, no NUL,
 *   no segment starting with `.ferry-tmp-`. A malformed key is a bug in the caller and fails with `RangeError`
 *   before any I/O.
 * - When a `signal` aborts, the call rejects with an error named `AbortError` (its `cause` is the signal's reason).
 * - Transient faults (throttling, 5xx, dropped connections) are retried inside the implementation; what reaches
 *   the caller is final. Code `Unavailable` means the store could not be reached or kept failing after retries.
 */

export type StorageErrorCode = 'NotFound' | 'Exists' | 'Permission' | 'Unavailable';

export class StorageError extends Error {
  override readonly name = 'StorageError';
  readonly code: StorageErrorCode;
  readonly key: string;
  constructor(code: StorageErrorCode, key: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.key = key;
  }
}

export interface ObjectInfo {
  key: string;
  sizeBytes: number;
}

export interface PutOptions {
  /** Fail with code `Exists` instead of replacing an existing object. */
  ifAbsent?: boolean;
  signal?: AbortSignal;
}

export interface Storage {
  /** A human-readable location for messages, e.g. `file:///backups/repo` or `s3://bucket/prefix`. */
  readonly location: string;
  put(key: string, data: Uint8Array, options?: PutOptions): Promise<void>;
  get(key: string, options?: { signal?: AbortSignal }): Promise<Uint8Array>;
  /** Bytes `[offset, offset + length)` of an object. */
  getRange(key: string, offset: number, length: number, options?: { signal?: AbortSignal }): Promise<Uint8Array>;
  stat(key: string): Promise<ObjectInfo | undefined>;
  delete(key: string): Promise<void>;
  list(prefix: string): AsyncIterable<ObjectInfo>;
  close(): Promise<void>;
}
