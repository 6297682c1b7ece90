/**
 * A keyed work queue for the in-process controllers: work is coalesced per key and runs after the current store
 * mutation has finished (never inside it), one item at a time. Failures are logged, never thrown.
 */
import type { Logger } from '../../../util/log.js';
import { ApiError } from '../errors.js';

export class WorkQueue {
  readonly #pending = new Map<string, () => void>();
  readonly #log: Logger | undefined;
  #scheduled = false;
  #closed = false;

  constructor(log?: Logger) {
    this.#log = log;
  }

  enqueue(key: string, work: () => void): void {
    if (this.#closed) return;
    this.#pending.set(key, work);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => {
        this.#drain();
      });
    }
  }

  close(): void {
    this.#closed = true;
    this.#pending.clear();
  }

  #drain(): void {
    this.#scheduled = false;
    const batch = [...this.#pending];
    this.#pending.clear();
    for (const [key, work] of batch) {
      if (this.#closed) return;
      try {
        work();
      } catch (err) {
        // NotFound and Conflict mean another writer got there first; the next event brings the work back if needed.
        if (err instanceof ApiError && (err.code === 404 || err.code === 409)) continue;
        this.#log?.warn({ key, err: err instanceof Error ? err.message : String(err) }, 'controller work failed');
      }
    }
  }
}
