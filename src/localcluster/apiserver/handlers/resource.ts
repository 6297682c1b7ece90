/** Routes a resource request to its verb: get, list, watch, create, update, patch, delete, deletecollection, or a subresource. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UserInfo } from '../auth/index.js';
import { methodNotAllowed, notFound, pathNotFound } from '../errors.js';
import { parseAccept } from '../http.js';
import { groupResource, present } from '../ops/common.js';
import type { ResourcePath } from '../paths.js';
import type { ResourceType, Verb } from '../types.js';
import { respondObject, type ApiRequest, type ServerState } from './context.js';
import { handleDelete, handleDeleteCollection } from './delete.js';
import { handleList } from './list.js';
import { handleBinding, handleLog } from './pods.js';
import { reviewHandler } from './reviews.js';
import { handleTokenRequest } from './tokens.js';
import { handleWatch } from './watch.js';
import { handleCreate, handlePatch, handleUpdate } from './write.js';

function handleGet(r: ApiRequest): void {
  const name = r.path.name ?? '';
  const stored = r.server.store.get(r.type.storageKey, r.type.namespaced ? r.path.namespace : undefined, name);
  if (stored === undefined) throw notFound(groupResource(r.type), name);
  respondObject(r, 200, present(r.type, stored));
}

function requireVerb(type: ResourceType, verb: Verb): void {
  if (!type.verbs.includes(verb)) throw methodNotAllowed();
}

async function handleCollection(r: ApiRequest, method: string, watch: boolean): Promise<void> {
  if (method === 'GET') {
    requireVerb(r.type, watch ? 'watch' : 'list');
    if (watch) handleWatch(r);
    else handleList(r);
    return;
  }
  if (r.type.namespaced && r.path.namespace === undefined) throw methodNotAllowed();
  if (method === 'POST') return handleCreate(r);
  if (method === 'DELETE') return handleDeleteCollection(r);
  throw methodNotAllowed();
}

async function handleItem(r: ApiRequest, method: string, watch: boolean): Promise<void> {
  if (r.type.namespaced && r.path.namespace === undefined) throw pathNotFound();
  switch (method) {
    case 'GET':
      if (watch) {
        // Watching one object is a watch of the collection narrowed to its name.
        r.query.set('fieldSelector', [r.query.get('fieldSelector'), `metadata.name=${r.path.name ?? ''}`].filter(Boolean).join(','));
        handleWatch(r);
      } else handleGet(r);
      return;
    case 'PUT':
      return handleUpdate(r, undefined);
    case 'PATCH':
      return handlePatch(r, undefined);
    case 'DELETE':
      return handleDelete(r);
    default:
      throw methodNotAllowed();
  }
}

async function handleSubresource(r: ApiRequest, method: string, subresource: string): Promise<void> {
  if (r.type.namespaced && r.path.namespace === undefined) throw pathNotFound();
  const route = `${method} ${subresource}`;
  switch (route) {
    case 'GET status':
      handleGet(r);
      return;
    case 'PUT status':
      return handleUpdate(r, 'status');
    case 'PATCH status':
      return handlePatch(r, 'status');
    case 'PUT finalize':
      return handleUpdate(r, 'finalize');
    case 'POST binding':
      return handleBinding(r);
    case 'GET log':
      return handleLog(r);
    case 'POST token':
      return handleTokenRequest(r);
    default:
      throw methodNotAllowed();
  }
}

export async function handleResource(server: ServerState, req: IncomingMessage, res: ServerResponse, path: ResourcePath, query: URLSearchParams, user: UserInfo): Promise<void> {
  const type = server.registry.lookup(path.group, path.version, path.resource);
  if (type === undefined || (path.namespace !== undefined && !type.namespaced)) throw pathNotFound();
  const subresource = path.subresource;
  if (subresource !== undefined && !(type.subresources as readonly string[]).includes(subresource)) {
    // The CRD handler answers for every path under its resource, naming the object; built-in paths just miss.
    throw type.behavior.customResource ? notFound(groupResource(type), path.name ?? '') : pathNotFound();
  }
  const r: ApiRequest = { req, res, query, path, type, accept: parseAccept(req.headers.accept), warnings: [], server, user };
  const method = req.method ?? 'GET';
  const review = reviewHandler(type);
  if (review !== undefined && path.name === undefined && subresource === undefined && method === 'POST') return review(r);
  const watch = path.legacyWatch || query.get('watch') === 'true' || query.get('watch') === '1';
  if (subresource !== undefined) return handleSubresource(r, method, subresource);
  if (path.name === undefined) return handleCollection(r, method, watch);
  return handleItem(r, method, watch);
}
