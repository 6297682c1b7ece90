/** Error values and handling shared by the backup and restore pipelines. */
import { FerryError } from '../util/errors.js';

export function canceled(): FerryError {
  return new FerryError('Canceled', 'the operation was canceled');
}

/** Anything thrown, as an `Error` (a worker's error event or a rejected promise may carry other values). */
export function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * Marks a promise as handled: it is awaited later, and a failure before then must not count as an unhandled
 * rejection. The promise itself still rejects for whoever awaits it.
 */
export function settledLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}
