import { parseInt64 } from '../../../kube/labels.js';
import { PatchError } from './errors.js';
import { clone, deepEqual, isObject, member, setMember, unmarshalError, type JsonObject } from './json.js';

/**
 * RFC 6902 JSON patch (`application/json-patch+json`) with the behaviour and messages of the library
 * kube-apiserver uses (evanphx/json-patch v4): a patch that is not a list of operations is a 400, an operation
 * that does not apply (missing path, bad index, failed `test`) is a 422 and nothing of the patch is kept.
 * Like the server it also accepts negative array indices (counted from the end) and lets `replace` create a
 * missing object member.
 */
export function applyJsonPatch(target: unknown, ops: unknown): unknown {
  if (ops === null) return clone(target);
  if (!Array.isArray(ops)) throw new PatchError(400, unmarshalError(ops, 'jsonpatch.Patch'));
  for (const op of ops) {
    if (op !== null && !isObject(op)) throw new PatchError(400, unmarshalError(op, 'jsonpatch.Operation'));
  }
  const copy = clone(target);
  if (!isObject(copy) && !Array.isArray(copy)) throw new PatchError(422, unmarshalError(copy, 'jsonpatch.partialDoc'));
  let doc: Container = copy;
  for (const op of ops as (JsonObject | null)[]) {
    try {
      doc = applyOperation(doc, op ?? {});
    } catch (err) {
      if (err instanceof OperationError) throw new PatchError(422, err.message);
      throw err;
    }
  }
  return doc;
}

class OperationError extends Error {}

type Container = JsonObject | unknown[];

const fail = (message: string): never => {
  throw new OperationError(message);
};

const MISSING = 'missing value';
const INVALID_INDEX = 'invalid index referenced';

function applyOperation(doc: Container, op: JsonObject): Container {
  const kind = member(op, 'op');
  switch (typeof kind === 'string' ? kind : 'unknown') {
    case 'add': {
      const path = stringField(op, 'path', () => `add operation failed to decode path: ${MISSING}`);
      const { container, key } = locate(doc, path, `add operation does not apply: doc is missing path: "${path}"`);
      wrap(`error in add for path: '${path}'`, () => {
        add(container, key, valueOf(op));
      });
      return doc;
    }
    case 'remove': {
      const path = stringField(op, 'path', () => `remove operation failed to decode path: ${MISSING}`);
      const { container, key } = locate(doc, path, `remove operation does not apply: doc is missing path: "${path}"`);
      wrap(`error in remove for path: '${path}'`, () => {
        remove(container, key);
      });
      return doc;
    }
    case 'replace':
      return replace(doc, op);
    case 'move': {
      const from = stringField(op, 'from', (cause) => `move operation failed to decode from: ${cause}`);
      const source = locate(doc, from, `move operation does not apply: doc is missing from path: ${from}`);
      const value = wrap(`error in move for path: '${source.key}'`, () => {
        const found = get(source.container, source.key);
        remove(source.container, source.key);
        return found;
      });
      const path = stringField(op, 'path', (cause) => `move operation failed to decode path: ${cause}`);
      const { container, key } = locate(doc, path, `move operation does not apply: doc is missing destination path: ${path}`);
      wrap(`error in move for path: '${path}'`, () => {
        add(container, key, value);
      });
      return doc;
    }
    case 'copy': {
      const from = stringField(op, 'from', (cause) => `copy operation failed to decode from: ${cause}`);
      const source = locate(doc, from, `copy operation does not apply: doc is missing from path: ${from}`);
      const value = wrap(`error in copy for from: '${from}'`, () => get(source.container, source.key));
      const path = stringField(op, 'path', () => `copy operation failed to decode path: ${MISSING}`);
      const { container, key } = locate(doc, path, `copy operation does not apply: doc is missing destination path: ${path}`);
      wrap('error while adding value during copy', () => {
        add(container, key, clone(value));
      });
      return doc;
    }
    case 'test':
      test(doc, op);
      return doc;
    default:
      return fail(`Unexpected kind: ${typeof kind === 'string' ? kind : 'unknown'}`);
  }
}

function replace(doc: Container, op: JsonObject): Container {
  const path = stringField(op, 'path', (cause) => `replace operation failed to decode path: ${cause}`);
  const value = valueOf(op);
  if (path === '') {
    if (isObject(value) || Array.isArray(value)) return clone(value) as Container;
    return fail('replace operation value must be object or array');
  }
  const { container, key } = locate(doc, path, `replace operation does not apply: doc is missing path: ${path}`);
  try {
    get(container, key);
  } catch {
    fail(`replace operation does not apply: doc is missing key: ${path}: ${MISSING}`);
  }
  set(container, key, value);
  return doc;
}

function test(doc: Container, op: JsonObject): void {
  const path = stringField(op, 'path', (cause) => `test operation failed to decode path: ${cause}`);
  const failed = `testing value ${path} failed: test failed`;
  if (path === '') {
    if (!deepEqual(doc, valueOf(op))) fail(failed);
    return;
  }
  const { container, key } = locate(doc, path, `test operation does not apply: is missing path: ${path}`);
  const actual = wrap(`error in test for path: '${path}'`, () => get(container, key));
  const expected = member(op, 'value');
  // The library does not tell a missing member from a null one: both pass a test for null or for no value.
  const passed = actual === null ? expected === null || expected === undefined : deepEqual(actual, expected);
  if (!passed) fail(failed);
}

/** `op[field]` as a string; `describe` gets the cause when it is missing or not a string. */
function stringField(op: JsonObject, field: 'path' | 'from', describe: (cause: string) => string): string {
  const value = member(op, field);
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) {
    return fail(describe(`operation${field === 'from' ? ',' : ''} missing ${field} field: ${MISSING}`));
  }
  return fail(describe(unmarshalError(value, 'string')));
}

const valueOf = (op: JsonObject): unknown => member(op, 'value') ?? null;

function wrap<T>(context: string, action: () => T): T {
  try {
    return action();
  } catch (err) {
    if (err instanceof OperationError) throw new OperationError(`${context}: ${err.message}`);
    throw err;
  }
}

const decodeToken = (token: string): string => token.replaceAll('~1', '/').replaceAll('~0', '~');

/** The container that holds the last token of `path`, or the `missing` failure when a step on the way is absent. */
function locate(doc: Container, path: string, missing: string): { container: Container; key: string } {
  const tokens = path.split('/');
  if (tokens.length < 2) return fail(`${missing}: ${MISSING}`);
  let container = doc;
  for (const token of tokens.slice(1, -1)) {
    let next: unknown;
    try {
      next = get(container, decodeToken(token));
    } catch {
      next = undefined;
    }
    if (!isObject(next) && !Array.isArray(next)) return fail(`${missing}: ${MISSING}`);
    container = next;
  }
  return { container, key: decodeToken(tokens.at(-1) ?? '') };
}

/** Go's `strconv.Atoi`, with its error messages. */
function atoi(token: string): number {
  if (!/^[+-]?[0-9]+$/.test(token)) return fail(`strconv.Atoi: parsing ${JSON.stringify(token)}: invalid syntax`);
  if (parseInt64(token) === undefined) return fail(`strconv.Atoi: parsing ${JSON.stringify(token)}: value out of range`);
  return Number(token);
}

/** An existing element's index; negative ones count from the end. */
function existingIndex(array: readonly unknown[], token: string): number {
  const index = atoi(token);
  const resolved = index < 0 ? index + array.length : index;
  if (resolved < 0 || resolved >= array.length) fail(`Unable to access invalid index: ${index}: ${INVALID_INDEX}`);
  return resolved;
}

/** The value at `key`: `null` for a missing object member, a failure for a bad array index. */
function get(container: Container, key: string): unknown {
  if (Array.isArray(container)) return container[existingIndex(container, key)];
  return member(container, key) ?? null;
}

function set(container: Container, key: string, value: unknown): void {
  if (Array.isArray(container)) container[existingIndex(container, key)] = value;
  else setMember(container, key, value);
}

function add(container: Container, key: string, value: unknown): void {
  if (!Array.isArray(container)) {
    setMember(container, key, value);
    return;
  }
  if (key === '-') {
    container.push(value);
    return;
  }
  let index: number;
  try {
    index = atoi(key);
  } catch (err) {
    const cause = err instanceof Error ? err.message : String(err);
    return fail(`value was not a proper array index: '${key}': ${cause}`);
  }
  const size = container.length + 1;
  if (index >= size || index < -size) fail(`Unable to access invalid index: ${index}: ${INVALID_INDEX}`);
  container.splice(index < 0 ? index + size : index, 0, value);
}

function remove(container: Container, key: string): void {
  if (Array.isArray(container)) {
    container.splice(existingIndex(container, key), 1);
    return;
  }
  if (!Object.hasOwn(container, key)) fail(`Unable to remove nonexistent key: ${key}: ${MISSING}`);
  Reflect.deleteProperty(container, key);
}
