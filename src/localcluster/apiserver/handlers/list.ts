/**
 * GET on a collection: a consistent list (optionally as of a resourceVersion) filtered by selectors, in pages of
 * `limit` items with `continue` tokens that keep reading the same snapshot until the history no longer reaches back
 * to it (410 Expired), as JSON, a Table or partial metadata.
 */
import { badRequest, expired } from '../errors.js';
import { acceptsAs, sendJson } from '../http.js';
import { present } from '../ops/common.js';
import { objectJson } from '../serialize.js';
import { parseIncludeObject, partialObjectMetadata, toTable } from '../tables/table.js';
import { apiVersionOf, type StoredObject } from '../types.js';
import type { ApiRequest } from './context.js';
import { hasSelectors, selectorFilter } from './filter.js';

interface ContinueToken {
  rv: number;
  start: string;
}

function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: token.rv, start: token.start })).toString('base64url');
}

function decodeContinue(text: string): ContinueToken {
  try {
    const parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as { rv?: unknown; start?: unknown };
    if (typeof parsed.rv === 'number' && typeof parsed.start === 'string') return { rv: parsed.rv, start: parsed.start };
  } catch {
    // fall through to the error below
  }
  throw badRequest('continue key is not valid: invalid continue token');
}

/** Parses a resourceVersion query value; "" and absent mean "latest". */
export function parseResourceVersion(value: string | null): number | undefined {
  if (value === null || value === '') return undefined;
  if (!/^\d+$/.test(value)) throw badRequest(`resourceVersion: Invalid value: "${value}": strconv.ParseUint: parsing "${value}": invalid syntax`);
  return Number(value);
}

function keyOf(obj: StoredObject): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
}

/** The index of the first item whose key sorts after `key` (items are in key order). */
function firstAfter(items: readonly StoredObject[], key: string): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const item = items[mid];
    if (item !== undefined && keyOf(item) <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const EXPIRED_CONTINUE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

function snapshot(r: ApiRequest): { rv: number; items: StoredObject[]; start: string | undefined } {
  const { store } = r.server;
  const namespace = r.type.namespaced ? r.path.namespace : undefined;
  const cont = r.query.get('continue');
  if (cont !== null && cont !== '') {
    const token = decodeContinue(cont);
    const items = store.listAt(r.type.storageKey, token.rv, namespace);
    if (items === undefined) throw expired(EXPIRED_CONTINUE);
    return { rv: token.rv, items, start: token.start };
  }
  const requested = parseResourceVersion(r.query.get('resourceVersion'));
  if (requested !== undefined && requested !== 0 && r.query.get('resourceVersionMatch') === 'Exact') {
    const items = store.listAt(r.type.storageKey, requested, namespace);
    if (items === undefined) throw expired(`too old resource version: ${requested} (${store.oldestResourceVersion + 1})`);
    return { rv: requested, items, start: undefined };
  }
  return { rv: store.resourceVersion, items: store.list(r.type.storageKey, namespace), start: undefined };
}

export function handleList(r: ApiRequest): void {
  const filter = selectorFilter(r.type, r.query);
  const limitText = r.query.get('limit');
  const limit = limitText === null || limitText === '' ? 0 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 0) throw badRequest(`limit: Invalid value: "${limitText ?? ''}": must be a non-negative integer`);
  const { rv, items, start } = snapshot(r);
  const selected: StoredObject[] = [];
  let next: string | undefined;
  let remaining = 0;
  for (let i = start === undefined ? 0 : firstAfter(items, start); i < items.length; i++) {
    const obj = items[i];
    if (obj === undefined || !filter(obj)) continue;
    if (limit > 0 && selected.length >= limit) {
      if (next === undefined) next = keyOf(selected[selected.length - 1] ?? obj);
      remaining++;
      continue;
    }
    selected.push(obj);
  }
  const listMeta: Record<string, unknown> = { resourceVersion: String(rv) };
  if (next !== undefined) {
    listMeta['continue'] = encodeContinue({ rv, start: next });
    if (!hasSelectors(r.query)) listMeta['remainingItemCount'] = remaining;
  }
  const objects = selected.map((obj) => present(r.type, obj));
  if (acceptsAs(r.accept, 'Table', 'meta.k8s.io') !== undefined) {
    const table = toTable(r.type, objects, { includeObject: parseIncludeObject(r.query.get('includeObject')), withColumns: true, listMeta, now: r.server.now() });
    sendJson(r.res, 200, table);
    return;
  }
  if (acceptsAs(r.accept, 'PartialObjectMetadataList', 'meta.k8s.io') !== undefined) {
    sendJson(r.res, 200, { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: listMeta, items: objects.map(partialObjectMetadata) });
    return;
  }
  const head = JSON.stringify({ kind: r.type.listKind, apiVersion: apiVersionOf(r.type), metadata: listMeta });
  sendJson(r.res, 200, `${head.slice(0, -1)},"items":[${objects.map(objectJson).join(',')}]}`);
}
