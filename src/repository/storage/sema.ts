/**
 * Bounded concurrency as a decorator (restic's `backend/sema`): at most `limit` requests of the inner store run at
 * once, the rest wait in arrival order. A listing holds a slot only while it fetches, never while the caller
 * works on what it yielded, so a caller may read objects from inside a `for await` over `list`.
 */
import { abortError, throwIfAborted } from './abort.js';
import type { ObjectInfo, PutOptions, Storage } from './types.js';

export class Semaphore {
  private available: number;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency limit must be a positive integer, got ${limit}`);
    this.available = limit;
  }

  /** Resolves to a release function once a slot is free; rejects if `signal` aborts first. */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    throwIfAborted(signal);
    if (this.available > 0) {
      this.available--;
      return this.releaser();
    }
    await new Promise<void>((resolve, reject) => {
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        this.waiting.splice(this.waiting.indexOf(grant), 1);
        if (signal !== undefined) reject(abortError(signal));
      };
      this.waiting.push(grant);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    return this.releaser();
  }

  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const release = await this.acquire(signal);
    try {
      return await task();
    } finally {
      release();
    }
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // Hand the slot straight to the next waiter so a newcomer cannot overtake it.
      const next = this.waiting.shift();
      if (next === undefined) this.available++;
      else next();
    };
  }
}

export function withConcurrencyLimit(inner: Storage, limit: number): Storage {
  const sem = new Semaphore(limit);
  return {
    location: inner.location,
    put: (key: string, data: Uint8Array, options?: PutOptions) => sem.run(() => inner.put(key, data, options), options?.signal),
    get: (key: string, options?: { signal?: AbortSignal }) => sem.run(() => inner.get(key, options), options?.signal),
    getRange: (key: string, offset: number, length: number, options?: { signal?: AbortSignal }) =>
      sem.run(() => inner.getRange(key, offset, length, options), options?.signal),
    stat: (key: string) => sem.run(() => inner.stat(key)),
    delete: (key: string) => sem.run(() => inner.delete(key)),
    async *list(prefix: string): AsyncIterable<ObjectInfo> {
      const iterator = inner.list(prefix)[Symbol.asyncIterator]();
      try {
        for (;;) {
          const step = await sem.run(() => iterator.next());
          if (step.done === true) return;
          yield step.value;
        }
      } finally {
        await iterator.return?.();
      }
    },
    close: () => inner.close(),
  };
}
