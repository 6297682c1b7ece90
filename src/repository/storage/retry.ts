/**
 * Retries as a decorator (restic's `backend/retry`): transient failures of the inner store are retried with
 * exponential backoff and full jitter, a bounded number of times; permanent ones (missing key, permission,
 * other 4xx) go straight to the caller. Whether a failure is transient is the inner backend's call.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../util/log.js';
import { StorageError } from './types.js';
import type { ObjectInfo, PutOptions, Storage } from './types.js';

export interface RetryPolicy {
  /** Tries per request, the first included. Default 6. */
  maxAttempts?: number;
  /** Backoff before retry n is a random delay in [0, min(maxDelayMs, baseDelayMs · 2^(n-1))]. Default 250 ms. */
  baseDelayMs?: number;
  /** Default 10 s. */
  maxDelayMs?: number;
  /** Told about each retry, at level warn. */
  logger?: Pick<Logger, 'warn'>;
}

export interface RetryOptions extends RetryPolicy {
  isTransient: (err: unknown) => boolean;
}

export function withRetry(inner: Storage, { isTransient, maxAttempts = 6, baseDelayMs = 250, maxDelayMs = 10_000, logger }: RetryOptions): Storage {
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError(`maxAttempts must be a positive integer, got ${maxAttempts}`);

  /** Throws `err` when it is permanent or the attempts are used up; otherwise waits before the next attempt. */
  async function backoff(err: unknown, operation: string, key: string, attempt: number, started: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted === true || !isTransient(err)) throw err;
    if (attempt >= maxAttempts) throw exhausted(err, key, attempt, Date.now() - started);
    const delayMs = Math.round(Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)));
    logger?.warn({ operation, key, location: inner.location, attempt, delayMs, err: errorText(err) }, 'retrying storage request');
    await sleep(delayMs, undefined, signal === undefined ? {} : { signal });
  }

  async function retrying<T>(operation: string, key: string, call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (err) {
        await backoff(err, operation, key, attempt, started, signal);
      }
    }
  }

  return {
    location: inner.location,

    async put(key: string, data: Uint8Array, options: PutOptions = {}): Promise<void> {
      let attempts = 0;
      const attempt = (): Promise<void> => {
        attempts++;
        return inner.put(key, data, options);
      };
      try {
        await retrying('put', key, attempt, options.signal);
      } catch (err) {
        // An attempt whose reply was lost may have stored the object: `Exists` then means "already ours".
        if (!(attempts > 1 && err instanceof StorageError && err.code === 'Exists')) throw err;
        const stored = await retrying('get', key, () => inner.get(key, options), options.signal);
        if (!Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength).equals(data)) throw err;
      }
    },
    get: (key: string, options: { signal?: AbortSignal } = {}) => retrying('get', key, () => inner.get(key, options), options.signal),
    getRange: (key: string, offset: number, length: number, options: { signal?: AbortSignal } = {}) =>
      retrying('getRange', key, () => inner.getRange(key, offset, length, options), options.signal),
    stat: (key: string) => retrying('stat', key, () => inner.stat(key)),
    delete: (key: string) => retrying('delete', key, () => inner.delete(key)),

    async *list(prefix: string): AsyncIterable<ObjectInfo> {
      // A listing that fails midway starts over and skips what it already yielded (restic does the same).
      const seen = new Set<string>();
      const started = Date.now();
      for (let attempt = 1; ; attempt++) {
        try {
          for await (const info of inner.list(prefix)) {
            if (seen.has(info.key)) continue;
            seen.add(info.key);
            yield info;
          }
          return;
        } catch (err) {
          await backoff(err, 'list', prefix, attempt, started);
        }
      }
    },

    close: () => inner.close(),
  };
}

function exhausted(err: unknown, key: string, attempts: number, elapsedMs: number): StorageError {
  const detail = `gave up after ${attempts} attempts in ${(elapsedMs / 1000).toFixed(1)} s`;
  if (err instanceof StorageError) return new StorageError(err.code, err.key, `${err.message} (${detail})`, { cause: err });
  return new StorageError('Unavailable', key, `${errorText(err)} (${detail})`, { cause: err });
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
