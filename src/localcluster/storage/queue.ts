/**
 * The controllers' work queue, as client-go's: keys, not events (a key added many times is handled once), one
 * handler at a time per key, a few keys in parallel, and a failed key retried with a per-key doubling back-off
 * that a success resets. `Retry` is the expected kind of failure (waiting for something the watches will not
 * announce); anything else is logged as a warning.
 */
import type { Logger } from '../../util/log.js';

export class Retry extends Error {
  override readonly name = 'Retry';
}

export interface QueueOptions {
  concurrency?: number;
  retryMinMs?: number;
  retryMaxMs?: number;
  logger: Logger;
}

export class WorkQueue {
  readonly #handle: (key: string) => Promise<void>;
  readonly #opts: Required<QueueOptions>;
  readonly #pending = new Set<string>();
  readonly #active = new Set<string>();
  /** Keys added again while being handled: handled once more afterwards. */
  readonly #again = new Set<string>();
  readonly #failures = new Map<string, number>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #running = new Set<Promise<void>>();
  #started = false;
  #stopped = false;

  constructor(handle: (key: string) => Promise<void>, { concurrency = 2, retryMinMs = 200, retryMaxMs = 10_000, logger }: QueueOptions) {
    this.#handle = handle;
    this.#opts = { concurrency, retryMinMs, retryMaxMs, logger };
  }

  add(key: string): void {
    if (this.#stopped) return;
    if (this.#active.has(key)) this.#again.add(key);
    else this.#pending.add(key);
    this.#pump();
  }

  /** Handling begins here, so that keys added while caches fill are handled once every cache is ready. */
  start(): void {
    this.#started = true;
    this.#pump();
  }

  /** Waits for the handlers in flight; later additions are ignored. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    this.#pending.clear();
    await Promise.all(this.#running);
  }

  #pump(): void {
    if (!this.#started) return;
    for (const key of this.#pending) {
      if (this.#running.size >= this.#opts.concurrency || this.#stopped) return;
      if (this.#active.has(key)) continue;
      this.#pending.delete(key);
      this.#active.add(key);
      const run: Promise<void> = this.#work(key).finally(() => {
        this.#running.delete(run);
        this.#active.delete(key);
        if (this.#again.delete(key)) this.#pending.add(key);
        this.#pump();
      });
      this.#running.add(run);
    }
  }

  async #work(key: string): Promise<void> {
    try {
      await this.#handle(key);
      this.#failures.delete(key);
    } catch (err) {
      if (this.#stopped) return;
      const failures = (this.#failures.get(key) ?? 0) + 1;
      this.#failures.set(key, failures);
      const delayMs = Math.min(this.#opts.retryMinMs * 2 ** (failures - 1), this.#opts.retryMaxMs);
      const message = err instanceof Error ? err.message : String(err);
      if (err instanceof Retry) this.#opts.logger.debug({ key, delayMs, reason: message }, 'waiting');
      else this.#opts.logger.warn({ key, delayMs, err: message }, 'reconcile failed; retrying');
      clearTimeout(this.#timers.get(key));
      this.#timers.set(
        key,
        setTimeout(() => {
          this.#timers.delete(key);
          this.add(key);
        }, delayMs),
      );
    }
  }
}
