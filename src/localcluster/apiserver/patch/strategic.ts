import { PatchError } from './errors.js';
import {
  clone,
  goFormat,
  goTypeName,
  isObject,
  kindOf,
  member,
  setMember,
  unmarshalError,
  type JsonKind,
  type JsonObject,
} from './json.js';
import { schemaFor, type FieldPatchMeta, type PatchSchema } from './schema.js';

/*
 * The apply half of k8s.io/apimachinery/pkg/util/strategicpatch (StrategicMergeMapPatch), which kube-apiserver
 * runs for `application/strategic-merge-patch+json`. Directives kubectl sends:
 *   `$patch: replace | delete` in an object or a list element, `null` to delete a member,
 *   `$retainKeys: [...]` (members not listed are cleared), `$deleteFromPrimitiveList/<list>: [...]`,
 *   `$setElementOrder/<list>: [...]` (the final order of a merged list).
 * Errors the server answers 500 for are 400 here: they all mean the patch is malformed.
 */

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';
const SET_ELEMENT_ORDER = '$setElementOrder';

const CUSTOM_RESOURCE_PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/apply-patch+yaml',
].join(', ');

const malformed = (message: string): PatchError => new PatchError(400, message);
const noMergeKey = (item: unknown, key: string): PatchError =>
  malformed(`map: ${goFormat(item)} does not contain declared merge key: ${key}`);
const badArgType = (expected: string, actual: unknown): PatchError =>
  malformed(`expected a ${expected}, but received a ${goTypeName(actual)}`);
const LIST = '[]interface {}';
const MAP = 'map[string]interface {}';

/**
 * Applies a strategic merge patch to an object of kind `gvk`. Kinds without built-in patch metadata (custom
 * resources) are refused with 415, as kube-apiserver does.
 */
export function applyStrategicMergePatch(
  target: unknown,
  patch: unknown,
  gvk: { group: string; version: string; kind: string },
): unknown {
  const schema = schemaFor(gvk);
  if (schema === undefined) {
    throw new PatchError(
      415,
      `the body of the request was in an unknown format - accepted media types include: ${CUSTOM_RESOURCE_PATCH_TYPES}`,
    );
  }
  if (!isObject(target)) throw malformed('invalid JSON document');
  if (patch === null) return clone(target);
  if (!isObject(patch)) throw malformed(unmarshalError(patch, MAP));
  return mergeMap(clone(target) as JsonObject, clone(patch) as JsonObject, schema);
}

const fieldMeta = (schema: PatchSchema, field: string): FieldPatchMeta =>
  Object.hasOwn(schema, field) ? (schema[field] ?? {}) : {};

const isDirectiveKey = (key: string): boolean =>
  key === RETAIN_KEYS || key.startsWith(SET_ELEMENT_ORDER) || key.startsWith(DELETE_FROM_PRIMITIVE_LIST);

/**
 * A patch value taken over as it is, without the `null` members and directives that only make sense when
 * merging (the real server drops them when it decodes into Go types). `undefined` for an object that carries
 * `$patch`, which is not kept at all.
 */
function clean(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clean).filter((v) => v !== undefined);
  if (!isObject(value)) return value;
  if (Object.hasOwn(value, DIRECTIVE)) return undefined;
  const out: JsonObject = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === null || isDirectiveKey(key)) continue;
    const kept = clean(v);
    if (kept !== undefined) setMember(out, key, kept);
  }
  return out;
}

function put(obj: JsonObject, key: string, value: unknown): void {
  const kept = clean(value);
  if (kept === undefined) Reflect.deleteProperty(obj, key);
  else setMember(obj, key, kept);
}

/** The list field name after `prefix/`. */
function listField(directiveKey: string, prefix: string, badFormat: string): string {
  const slash = directiveKey.indexOf('/');
  if (slash < 0 || directiveKey.slice(0, slash) !== prefix) throw malformed(badFormat);
  return directiveKey.slice(slash + 1);
}

/** Merges `patch` into `original` (both owned by the caller: they are modified). */
function mergeMap(original: JsonObject, patch: JsonObject, schema: PatchSchema): JsonObject {
  if (Object.hasOwn(patch, DIRECTIVE)) return mapDirective(patch);
  applyRetainKeys(original, patch);
  mergeOrderedLists(original, patch, schema);

  for (const [patchKey, value] of Object.entries(patch)) {
    const isDeleteList = patchKey.startsWith(DELETE_FROM_PRIMITIVE_LIST);
    const key = isDeleteList
      ? listField(patchKey, DELETE_FROM_PRIMITIVE_LIST, 'invalid patch format of primitive list')
      : patchKey;
    if (value === null) {
      if (Object.hasOwn(original, key)) Reflect.deleteProperty(original, key);
      continue;
    }
    const current = member(original, key);
    if (!Object.hasOwn(original, key) || kindOf(current) !== kindOf(value)) {
      if (!isDeleteList) put(original, key, value);
      continue;
    }
    const meta = fieldMeta(schema, key);
    if (isObject(current)) {
      setMember(original, key, mergeMap(current, value as JsonObject, meta.schema ?? {}));
    } else if (Array.isArray(current)) {
      setMember(original, key, mergeList(key, current, value as unknown[], meta, isDeleteList));
    } else {
      put(original, key, value);
    }
  }
  return original;
}

function mapDirective(patch: JsonObject): JsonObject {
  const directive = patch[DIRECTIVE];
  if (directive === 'delete') return {};
  if (directive === 'replace') {
    Reflect.deleteProperty(patch, DIRECTIVE);
    return clean(patch) as JsonObject;
  }
  throw malformed(`unknown patch type: ${goFormat(directive)} in map: ${goFormat(patch)}`);
}

/** `$retainKeys`: members of `original` not listed go away; the patch itself may only set listed members. */
function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!Object.hasOwn(patch, RETAIN_KEYS)) return;
  const retained = patch[RETAIN_KEYS];
  Reflect.deleteProperty(patch, RETAIN_KEYS);
  const badFormat = 'invalid patch format of retainKeys';
  if (!Array.isArray(retained)) throw malformed(badFormat);
  const keep = new Set<unknown>(retained);
  for (const [key, value] of Object.entries(patch)) {
    if (value !== null && !isDirectiveKey(key) && !keep.has(key)) throw malformed(badFormat);
  }
  for (const key of Object.keys(original)) {
    if (!keep.has(key)) Reflect.deleteProperty(original, key);
  }
}

function asList(value: unknown): unknown[] {
  if (!Array.isArray(value)) throw badArgType(LIST, value);
  return value;
}

/**
 * `$setElementOrder/<list>`: merges the list now and orders the result: the elements named in the directive in
 * its order, the server-only ones kept at their relative places.
 */
function mergeOrderedLists(original: JsonObject, patch: JsonObject, schema: PatchSchema): void {
  for (const directiveKey of Object.keys(patch)) {
    if (!directiveKey.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = asList(patch[directiveKey]);
    Reflect.deleteProperty(patch, directiveKey);
    const field = listField(directiveKey, SET_ELEMENT_ORDER, 'invalid patch format of setElementOrder list');
    const inOriginal = Object.hasOwn(original, field);
    const inPatch = Object.hasOwn(patch, field);
    if (!inOriginal && !inPatch) continue;
    const originalList = inOriginal ? asList(original[field]) : [];
    const patchList = inPatch ? asList(patch[field]) : [];
    const meta = fieldMeta(schema, field);
    const mergeKey = meta.mergeKey ?? '';
    checkOrder(patchList, order, mergeKey);

    let merged: unknown[];
    if (inOriginal && inPatch) merged = mergeList(field, originalList, patchList, meta, false);
    else if (inPatch) merged = clean(patchList) as unknown[];
    else merged = originalList;

    const kind = elementKind(originalList, patchList);
    const serverOrder =
      inPatch && meta.strategy === 'merge' && kind === 'object'
        ? serverOrderAfterMerge(originalList, patchList, mergeKey)
        : originalList;
    const [named, serverOnly] = partition(merged, order, mergeKey);
    setMember(original, field, normalizeOrder(named, serverOnly, order, serverOrder, mergeKey, kind));
    Reflect.deleteProperty(patch, field);
  }
}

/**
 * The server order that apimachinery sorts a `$setElementOrder` list against. It merges the list in place, so its
 * view of the original list (same length) ends up holding the survivors followed by as many new patch elements
 * as were deleted; those new elements thereby sort after the survivors instead of before them.
 */
function serverOrderAfterMerge(originalList: unknown[], patchList: unknown[], mergeKey: string): unknown[] {
  const directives = patchList.filter((item) => isObject(item) && Object.hasOwn(item, DIRECTIVE)) as JsonObject[];
  if (directives.some((item) => item[DIRECTIVE] === 'replace')) return originalList;
  const deleted = directives.map((item) => item[mergeKey]);
  const view = originalList.filter((element) => !deleted.some((value) => sameKey(element, mergeKey, value)));
  for (const item of patchList) {
    if (view.length >= originalList.length) break;
    if (directives.includes(item as JsonObject)) continue;
    const value = keyValue(item, mergeKey);
    if (!view.some((element) => sameKey(element, mergeKey, value))) view.push(item);
  }
  return view;
}

/** The patch list (without deletions) must be a subsequence of the `$setElementOrder` list. */
function checkOrder(patchList: readonly unknown[], order: readonly unknown[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  const items =
    mergeKey === ''
      ? patchList
      : patchList.filter((item) => {
          if (!isObject(item)) throw badArgType(MAP, item);
          return item[DIRECTIVE] !== 'delete';
        });
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    const item = items[p];
    if (isObject(item) && Object.hasOwn(item, DIRECTIVE)) {
      p++;
      continue;
    }
    if (mergeKeyEqual(item, order[o], mergeKey)) p++;
    o++;
  }
  if (p < items.length) {
    throw malformed(
      `the order in patch list:\n${goFormat(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${goFormat(order)}`,
    );
  }
}

function keyValue(item: unknown, mergeKey: string): unknown {
  if (!isObject(item)) throw badArgType(MAP, item);
  if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
  return item[mergeKey];
}

function mergeKeyEqual(left: unknown, right: unknown, mergeKey: string): boolean {
  if (mergeKey === '') return left === right;
  return keyValue(left, mergeKey) === keyValue(right, mergeKey);
}

/** The kind shared by all elements of the lists; lists of lists and mixed lists are errors. */
function elementKind(...lists: (readonly unknown[])[]): JsonKind {
  let kind: JsonKind | undefined;
  for (const value of lists.flat()) {
    const current = kindOf(value);
    if (current === 'array') throw new PatchError(422, 'lists of lists are not supported');
    if (kind !== undefined && kind !== current) {
      throw malformed(`list element types are not identical: ${goFormat(lists)}`);
    }
    kind = current;
  }
  if (kind === undefined) throw malformed('no elements in any of the given slices');
  return kind;
}

/** A list field: replaced unless its strategy is `merge` (or the patch is a deletion list for it). */
function mergeList(
  field: string,
  original: unknown[],
  patch: unknown[],
  meta: FieldPatchMeta,
  isDeleteList: boolean,
): unknown[] {
  if (meta.strategy !== 'merge' && !isDeleteList) return clean(patch) as unknown[];
  if (original.length === 0 && patch.length === 0) return original;
  const kind = elementKind(original, patch);
  const mergeKey = meta.mergeKey ?? '';
  let base = original;
  let items = patch;
  let merged: unknown[];
  if (kind !== 'object') {
    if (isDeleteList) return original.filter((value) => !patch.includes(value));
    merged = [...new Set([...original, ...patch])];
  } else {
    if (mergeKey === '') throw malformed(`cannot merge lists without merge key for ${field}`);
    [base, items] = listDirectives(original, patch, mergeKey);
    merged = mergeByKey(base, items, mergeKey, meta.schema ?? {});
  }
  const [fromPatch, serverOnly] = partition(merged, items, mergeKey);
  return normalizeOrder(fromPatch, serverOnly, items, base, mergeKey, kind);
}

const sameKey = (item: unknown, mergeKey: string, value: unknown): boolean =>
  isObject(item) && Object.hasOwn(item, mergeKey) && item[mergeKey] === value;

/**
 * Handles the list elements that carry `$patch`: `delete` removes the elements with that key, `replace` makes the
 * rest of the patch list the whole list. Returns the list to merge into and the plain patch elements.
 */
function listDirectives(original: unknown[], patch: unknown[], mergeKey: string): [unknown[], unknown[]] {
  const plain: unknown[] = [];
  let base = original;
  let replace = false;
  for (const item of patch as JsonObject[]) {
    if (!Object.hasOwn(item, DIRECTIVE)) {
      plain.push(item);
      continue;
    }
    const directive = item[DIRECTIVE];
    if (directive === 'delete') {
      const value = keyValue(item, mergeKey);
      base = base.filter((element) => !sameKey(element, mergeKey, value));
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      throw malformed('merging lists cannot yet be specified in the patch');
    } else {
      throw malformed(`unknown patch type: ${goFormat(directive)} in map: ${goFormat(item)}`);
    }
  }
  return replace ? [clean(plain) as unknown[], []] : [base, plain];
}

function mergeByKey(base: readonly unknown[], items: readonly unknown[], mergeKey: string, schema: PatchSchema): unknown[] {
  const out = [...base];
  for (const item of items as JsonObject[]) {
    const value = keyValue(item, mergeKey);
    const index = out.findIndex((element) => sameKey(element, mergeKey, value));
    if (index >= 0) out[index] = mergeMap(out[index] as JsonObject, item, schema);
    else out.push(clean(item));
  }
  return out;
}

/** Splits `merged` into the elements that appear in `by` (by merge key, or by value for scalars) and the others. */
function partition(merged: readonly unknown[], by: readonly unknown[], mergeKey: string): [unknown[], unknown[]] {
  const inside: unknown[] = [];
  const outside: unknown[] = [];
  for (const item of merged) {
    const found =
      mergeKey === ''
        ? by.includes(item)
        : by.some((element) => sameKey(element, mergeKey, keyValue(item, mergeKey)));
    (found ? inside : outside).push(item);
  }
  return [inside, outside];
}

/** An element's position in `list`, by merge key for objects; -1 when absent. */
function indexIn(list: readonly unknown[], item: unknown, mergeKey: string, kind: JsonKind): number {
  if (kind !== 'object') return list.indexOf(item);
  const key = (element: unknown): unknown => (isObject(element) ? (member(element, mergeKey) ?? null) : null);
  const wanted = key(item);
  return list.findIndex((element) => key(element) === wanted);
}

function sortByOrder(items: unknown[], order: readonly unknown[], mergeKey: string, kind: JsonKind): unknown[] {
  if (kind === 'object') [...items, ...order].forEach((item) => keyValue(item, mergeKey));
  const position = (item: unknown): number => {
    const index = indexIn(order, item, mergeKey, kind);
    return index < 0 ? Number.POSITIVE_INFINITY : index;
  };
  return items.sort((a, b) => {
    const pa = position(a);
    const pb = position(b);
    return pa === pb ? 0 : pa < pb ? -1 : 1;
  });
}

/**
 * The final order of a merged list (apimachinery's `normalizeElementOrder`): patch elements in `patchOrder`,
 * server-only elements in `serverOrder`, interleaved so that a server-only element goes first only when the server
 * had it before the patch element it is compared with; patch elements the server does not know go first.
 */
function normalizeOrder(
  fromPatch: unknown[],
  serverOnly: unknown[],
  patchOrder: readonly unknown[],
  serverOrder: readonly unknown[],
  mergeKey: string,
  kind: JsonKind,
): unknown[] {
  const right = sortByOrder(fromPatch, patchOrder, mergeKey, kind);
  const left = sortByOrder(serverOnly, serverOrder, mergeKey, kind);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (j >= right.length) out.push(left[i++]);
    else if (i >= left.length) out.push(right[j++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey, kind);
      const ri = indexIn(serverOrder, right[j], mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}
