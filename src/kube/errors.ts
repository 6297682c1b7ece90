/**
 * API failures as FerryErrors that say what and where (`configmaps "x" not found in namespace velero`), keeping
 * the HTTP status and the Kubernetes `reason` so callers can tell a lost race (Conflict) from a missing object.
 */
import { FerryError, type FerryErrorCode } from '../util/errors.js';
import { describeRef, type ObjectRef, type ResourceType } from './resources.js';

/** The `Status` object the API server answers failures with. */
export interface ApiStatus {
  kind?: string;
  message?: string;
  reason?: string;
  code?: number;
}

export type Verb = 'get' | 'list' | 'create' | 'update' | 'patch' | 'delete' | 'watch';

export class KubeApiError extends FerryError {
  /** HTTP status code. */
  readonly status: number;
  /** Kubernetes' reason: NotFound, AlreadyExists, Conflict, Invalid, Forbidden, Expired… ("" when the body was not a Status). */
  readonly reason: string;

  constructor(code: FerryErrorCode, message: string, { status, reason, cause }: { status: number; reason: string; cause?: unknown }) {
    super(code, message, cause === undefined ? {} : { cause });
    this.status = status;
    this.reason = reason;
  }
}

function codeFor(status: number): FerryErrorCode {
  if (status === 404) return 'NotFound';
  if (status === 409) return 'Conflict';
  if (status === 422 || status === 400) return 'ConfigInvalid';
  if (status >= 500 || status === 429) return 'Unavailable';
  return 'Internal';
}

/** Turns a non-2xx answer into an error naming the object; Kubernetes' own message is kept verbatim. */
export function apiError(verb: Verb, resource: ResourceType, ref: ObjectRef, status: number, body: ApiStatus | undefined): KubeApiError {
  const reason = body?.reason ?? '';
  const serverMessage = body?.message ?? `HTTP ${status}`;
  // Only a message about the object itself gets its namespace (a create in a missing namespace is about the namespace).
  const aboutObject = serverMessage.startsWith(`${resource.plural}${resource.group === '' ? '' : `.${resource.group}`} "`);
  const where = resource.namespaced && ref.namespace !== undefined && aboutObject ? ` in namespace ${ref.namespace}` : '';
  const message = status === 404 && ref.name !== undefined && aboutObject ? `${serverMessage}${where}` : `cannot ${verb} ${describeRef(resource, ref)}: ${serverMessage}`;
  return new KubeApiError(codeFor(status), message, { status, reason });
}

export function isNotFound(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 404;
}

/** A write lost an optimistic-concurrency race (stale resourceVersion). */
export function isConflict(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 409 && err.reason !== 'AlreadyExists';
}

export function isAlreadyExists(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 409 && err.reason === 'AlreadyExists';
}

/** The watch's resourceVersion is older than the server keeps: list again. */
export function isExpired(err: unknown): boolean {
  return err instanceof KubeApiError && (err.status === 410 || err.reason === 'Expired' || err.reason === 'Gone');
}
