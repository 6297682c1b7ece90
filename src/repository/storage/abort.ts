/**
 * Cancellation has one shape in every backend, like node's own fs and timers: when the caller's signal aborts,
 * the call rejects with an error named `AbortError` whose `cause` is the signal's reason.
 */

export function abortError(signal: AbortSignal): Error {
  const err = new Error('the storage operation was aborted', { cause: signal.reason });
  err.name = 'AbortError';
  return err;
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw abortError(signal);
}

export function isAbortError(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}
