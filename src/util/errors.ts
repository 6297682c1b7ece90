/**
 * @module errors
 * One error family for everything Ferry reports to a person: a stable `code`, a message that says what is wrong
 * and where, an optional `hint` that says what to do, and the original `cause`.
 */

export type FerryErrorCode =
  | 'Usage'
  | 'ConfigInvalid'
  | 'NotFound'
  | 'Conflict'
  | 'IntegrityMismatch'
  | 'WrongPassword'
  | 'Timeout'
  | 'Canceled'
  | 'Unavailable'
  | 'Internal';

export interface FerryErrorOptions {
  hint?: string;
  cause?: unknown;
}

export class FerryError extends Error {
  override readonly name = 'FerryError';
  readonly code: FerryErrorCode;
  /** What the user can do about it; `undefined` when there is nothing useful to say. */
  readonly hint: string | undefined;

  constructor(code: FerryErrorCode, message: string, { hint, cause }: FerryErrorOptions = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
    this.hint = hint;
  }
}

export function isFerryError(err: unknown): err is FerryError {
  return err instanceof FerryError;
}

/** The message of anything thrown, without a stack. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** A mistake in how a command was called (exit code 2). */
export function usageError(message: string, hint?: string): FerryError {
  return new FerryError('Usage', message, hint === undefined ? {} : { hint });
}
