/** POST, PUT and PATCH on a resource or its status: decode, patch when asked, then create or update. */
import { ApiError, badRequest, notFound, unsupportedMediaType } from '../errors.js';
import { parseBody, readBody } from '../http.js';
import { groupResource, present } from '../ops/common.js';
import { createObject } from '../ops/create.js';
import { updateObject } from '../ops/update.js';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, PatchError } from '../patch.js';
import type { KubeObject } from '../types.js';
import { respondObject, writeOptions, type ApiRequest } from './context.js';

export async function requestBody(r: ApiRequest): Promise<unknown> {
  return parseBody(await readBody(r.req), r.req.headers['content-type']);
}

export async function handleCreate(r: ApiRequest): Promise<void> {
  const body = await requestBody(r);
  const created = createObject(r.server, r.type, r.path.namespace, body, writeOptions(r));
  respondObject(r, 201, created);
}

export async function handleUpdate(r: ApiRequest, subresource: 'status' | 'finalize' | undefined): Promise<void> {
  const body = await requestBody(r);
  const updated = updateObject(r.server, r.type, r.path.namespace, r.path.name ?? '', body, { ...writeOptions(r), subresource });
  respondObject(r, 200, updated);
}

const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];

const STRATEGIC = 'application/strategic-merge-patch+json';

function unsupportedPatch(r: ApiRequest): ApiError {
  const accepted = r.type.behavior.strategicMerge ? PATCH_TYPES : PATCH_TYPES.filter((t) => t !== STRATEGIC);
  return unsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`);
}

function applyPatch(r: ApiRequest, contentType: string, current: KubeObject, patch: unknown): unknown {
  try {
    switch (contentType) {
      case 'application/json-patch+json':
        return applyJsonPatch(current, patch);
      case 'application/merge-patch+json':
        return applyMergePatch(current, patch);
      case STRATEGIC:
        return applyStrategicMergePatch(current, patch, { group: r.type.group, version: r.type.version, kind: r.type.kind });
      default:
        throw unsupportedPatch(r);
    }
  } catch (err) {
    if (!(err instanceof PatchError)) throw err;
    if (err.status === 415) throw unsupportedMediaType(err.message);
    if (err.status === 409) throw new ApiError(409, 'Conflict', err.message);
    if (err.status === 422) throw new ApiError(422, 'Invalid', err.message);
    throw badRequest(err.message);
  }
}

export async function handlePatch(r: ApiRequest, subresource: 'status' | undefined): Promise<void> {
  const contentType = (r.req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!PATCH_TYPES.includes(contentType) || (contentType === STRATEGIC && !r.type.behavior.strategicMerge)) throw unsupportedPatch(r);
  const patch = parseBody(await readBody(r.req), 'application/json');
  const name = r.path.name ?? '';
  const stored = r.server.store.get(r.type.storageKey, r.type.namespaced ? r.path.namespace : undefined, name);
  if (stored === undefined) throw notFound(groupResource(r.type), name);
  const patched = applyPatch(r, contentType, present(r.type, stored), patch);
  const updated = updateObject(r.server, r.type, r.path.namespace, name, patched, { ...writeOptions(r), subresource });
  respondObject(r, 200, updated);
}
