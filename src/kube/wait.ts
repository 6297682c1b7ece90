/** Polling for a condition on API objects, with a deadline that says what was being waited for. */
import { setTimeout as sleep } from 'node:timers/promises';
import { FerryError } from '../util/errors.js';
import { formatGoDuration } from './duration.js';

export interface PollOptions {
  timeoutMs: number;
  intervalMs?: number;
  signal?: AbortSignal | undefined;
  /** For the timeout message: `volume snapshot ns/x to be ready`. */
  what: string;
  /** Appended to the timeout message: the last state seen. */
  lastState?: () => string | undefined;
}

/** Calls `check` until it returns a value; rejects with a Timeout FerryError after `timeoutMs`, or when `signal` aborts. */
export async function pollUntil<T>(check: () => Promise<T | undefined>, { timeoutMs, intervalMs = 500, signal, what, lastState }: PollOptions): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    signal?.throwIfAborted();
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) {
      const state = lastState?.();
      throw new FerryError('Timeout', `timed out after ${formatGoDuration(timeoutMs)} waiting for ${what}${state === undefined ? '' : `: ${state}`}`);
    }
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())), undefined, signal === undefined ? {} : { signal });
  }
}
