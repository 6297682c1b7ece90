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
 * - `list(prefix)` yields every key under the prefix, with sizes, in no particular order.
 * - Transient faults (throttling, 5xx, dropped connections) are retried inside the implementation; what reaches
 *   the caller is final.
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
