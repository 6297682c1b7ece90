/**
 * What S3 and network failures mean for a caller: the `StorageError` code, and whether trying again can help.
 * The raw S3 backend wraps every failure in a `StorageError` whose `cause` is the SDK's or the socket's error;
 * `isTransientS3Error` reads that cause.
 */
import { StorageError } from './types.js';
import type { StorageErrorCode } from './types.js';

/** A response body shorter than its Content-Length: the connection dropped mid-object. */
export class TruncatedBodyError extends Error {
  override readonly name = 'TruncatedBodyError';
}

/** Throttling, server faults and timeouts: S3's documented "retry with backoff" error codes. */
const TRANSIENT_CODES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'TooManyRequests',
  'RequestLimitExceeded',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'ServiceUnavailable',
  'ConditionalRequestConflict',
  'OperationAborted',
  'BadDigest',
  'IncompleteBody',
  'TimeoutError',
  'TruncatedBodyError',
]);

/** Socket-level failures; ENOTFOUND is left out on purpose: a misspelt endpoint should fail at once. */
const TRANSIENT_ERRNOS = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ERR_STREAM_PREMATURE_CLOSE']);

const TRANSIENT_STATUS = new Set([408, 429, 500, 502, 503, 504]);

const PERMISSION_CODES = new Set(['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'InvalidToken', 'CredentialsProviderError', 'AllAccessDisabled']);

interface SdkErrorShape {
  name: string;
  message: string;
  code?: unknown;
  $metadata?: { httpStatusCode?: number };
}

function shape(err: unknown): SdkErrorShape | undefined {
  return err instanceof Error ? err : undefined;
}

export function httpStatus(err: unknown): number | undefined {
  return shape(err)?.$metadata?.httpStatusCode;
}

export function isTransientS3Error(err: unknown): boolean {
  const e = shape(err instanceof StorageError ? err.cause : err);
  if (e === undefined) return false;
  if (TRANSIENT_CODES.has(e.name)) return true;
  if (typeof e.code === 'string' && TRANSIENT_ERRNOS.has(e.code)) return true;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined) return TRANSIENT_STATUS.has(status);
  // No HTTP status at all: the request never got a whole response (socket hang up, reset, aborted body).
  return e.message === 'socket hang up' || e.message === 'aborted';
}

export function storageCode(err: unknown): StorageErrorCode {
  const e = shape(err);
  const status = e?.$metadata?.httpStatusCode;
  if (e !== undefined && PERMISSION_CODES.has(e.name)) return 'Permission';
  if (e?.name === 'NoSuchKey' || (status === 404 && e?.name !== 'NoSuchBucket' && e?.name !== 'NoSuchUpload')) return 'NotFound';
  if (e?.name === 'PreconditionFailed' || status === 412) return 'Exists';
  if (status === 403) return 'Permission';
  return 'Unavailable';
}

/** `what` reads like "cannot read \"data/ab\" in s3://bucket/prefix". */
export function s3StorageError(err: unknown, key: string, what: string): StorageError {
  if (err instanceof StorageError) return err;
  const e = shape(err);
  const status = httpStatus(err);
  let reason = e === undefined ? String(err) : e.name === 'Error' ? e.message : `${e.name}: ${e.message || 'no message'}`;
  if (status !== undefined) reason += ` (HTTP ${status})`;
  if (e?.name === 'NoSuchBucket') reason = 'the bucket does not exist';
  if (e?.name === 'CredentialsProviderError') {
    reason = `no S3 credentials (${e.message}): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE`;
  }
  return new StorageError(storageCode(err), key, `${what}: ${reason}`, { cause: err });
}
