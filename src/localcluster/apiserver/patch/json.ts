/**
 * Helpers for patching parsed JSON: type tests, copies and member access that are safe for keys such as
 * `__proto__` (patch documents come from clients), and Go's `%v` formatting for error messages that read like
 * the real server's.
 */

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export type JsonKind = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object';

export function kindOf(value: unknown): JsonKind {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'boolean':
      return 'boolean';
    case 'number':
    case 'bigint':
      return 'number';
    case 'string':
      return 'string';
    default:
      return 'object';
  }
}

/** The member `key` of `obj` if it is its own, never something inherited from `Object.prototype`. */
export function member(obj: JsonObject, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** Sets a member even when the key is `__proto__`, which plain assignment would turn into a prototype change. */
export function setMember(obj: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A deep copy of a JSON value, so that patching never touches the caller's objects. */
export function clone(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clone);
  if (isObject(value)) {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) setMember(out, k, clone(v));
    return out;
  }
  return value;
}

/** Structural equality of JSON values (member order does not matter, array order does). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** Go's `fmt.Sprintf("%v", v)` for a decoded JSON value: `map[a:1 b:[x y]]`, `<nil>`. */
export function goFormat(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (Array.isArray(value)) return `[${value.map(goFormat).join(' ')}]`;
  if (isObject(value)) {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${k}:${goFormat(value[k])}`);
    return `map[${entries.join(' ')}]`;
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The Go type name a decoded JSON value has (`reflect.TypeOf(v)`), for "expected a …, but received a …". */
export function goTypeName(value: unknown): string {
  switch (kindOf(value)) {
    case 'null':
      return '<nil>';
    case 'array':
      return '[]interface {}';
    case 'object':
      return 'map[string]interface {}';
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
    case 'string':
      return 'string';
  }
}

/** Go's wording for a JSON value of the wrong type: `json: cannot unmarshal number into Go value of type string`. */
export function unmarshalError(value: unknown, goType: string): string {
  const kind = kindOf(value);
  return `json: cannot unmarshal ${kind === 'boolean' ? 'bool' : kind} into Go value of type ${goType}`;
}
