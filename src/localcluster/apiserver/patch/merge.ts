import { clone, isObject, member, setMember, type JsonObject } from './json.js';

/**
 * RFC 7386 JSON merge patch (`application/merge-patch+json`) as kube-apiserver applies it (evanphx/json-patch):
 * objects merge recursively, `null` deletes a member, anything else replaces. Like the server, values that land
 * where there was nothing to merge with lose their `null` members at any depth. A patch that is not an object
 * replaces the whole document, as the RFC says; the caller decides whether that result is acceptable.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return pruneNulls(clone(patch));
  const doc = isObject(target) ? (clone(target) as JsonObject) : {};
  mergeInto(doc, patch);
  return doc;
}

function mergeInto(doc: JsonObject, patch: JsonObject): void {
  for (const [key, value] of Object.entries(patch)) {
    const current = member(doc, key);
    if (value === null) {
      if (Object.hasOwn(doc, key)) Reflect.deleteProperty(doc, key);
    } else if (isObject(current) && isObject(value)) {
      mergeInto(current, value);
    } else {
      setMember(doc, key, isObject(current) ? clone(value) : pruneNulls(clone(value)));
    }
  }
}

/** Drops `null` members of objects at any depth (array elements that are `null` stay). Mutates its argument. */
function pruneNulls(value: unknown): unknown {
  if (Array.isArray(value)) value.forEach(pruneNulls);
  else if (isObject(value)) {
    for (const [key, v] of Object.entries(value)) {
      if (v === null) Reflect.deleteProperty(value, key);
      else pruneNulls(v);
    }
  }
  return value;
}
