import { isConflict } from '../kube/errors.js';
import { errorMessage } from '../util/errors.js';
import type { Logger } from '../util/log.js';

/** What a handler returns: when to look at the key again (ms), or `undefined` to wait for the next event. */
export type Requeue = number | undefined;

/**
 * A keyed work queue with one worker: each key is handled by one call at a time, adds while it runs coalesce into
 * one more run, and delayed adds keep only the earliest time. A failing handler is retried with a per-key back-off.
 * One worker keeps decisions that read shared state (how many loads run on this node) free of races.
 */
export class WorkQueue {
  private readonly ready = new Set<string>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly failures = new Map<string, number>();
  private running = false;
  private stopped = false;
  private idle: Promise<void> = Promise.resolve();

  constructor(
    private readonly handler: (key: string) => Promise<Requeue>,
    private readonly logger: Logger,
    private readonly maxBackoffMs = 30_000,
  ) {}

  add(key: string, delayMs = 0): void {
    if (this.stopped) return;
    if (delayMs <= 0) {
      this.clearTimer(key);
      this.ready.add(key);
      this.kick();
      return;
    }
    const at = Date.now() + delayMs;
    const existing = this.timers.get(key);
    if (existing !== undefined && existing.at <= at) return;
    this.clearTimer(key);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, delayMs);
    this.timers.set(key, { at, timer });
  }

  /** Stops taking work and waits for the call in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const key of [...this.timers.keys()]) this.clearTimer(key);
    this.ready.clear();
    await this.idle;
  }

  private clearTimer(key: string): void {
    const entry = this.timers.get(key);
    if (entry === undefined) return;
    clearTimeout(entry.timer);
    this.timers.delete(key);
  }

  private kick(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    this.idle = this.drain().finally(() => {
      this.running = false;
    });
  }

  private async drain(): Promise<void> {
    for (let key = this.next(); key !== undefined && !this.stopped; key = this.next()) {
      this.ready.delete(key);
      let requeue: Requeue;
      try {
        requeue = await this.handler(key);
        this.failures.delete(key);
      } catch (err) {
        const failures = (this.failures.get(key) ?? 0) + 1;
        this.failures.set(key, failures);
        requeue = Math.min(500 * 2 ** (failures - 1), this.maxBackoffMs);
        // A conflict only means the cache was behind a write (often another node-agent's): the retry reads the new version.
        if (isConflict(err)) this.logger.debug({ key, retryInMs: requeue }, 'object changed meanwhile: retrying');
        else this.logger.warn({ key, err: errorMessage(err), retryInMs: requeue }, 'reconcile failed');
      }
      if (requeue !== undefined && !this.ready.has(key)) this.add(key, requeue);
    }
  }

  private next(): string | undefined {
    return this.ready.values().next().value;
  }
}
