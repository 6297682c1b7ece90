/**
 * Binding a parsed JSON document onto typed values the way Go's encoding/json fills Velero's structs, with every
 * silent Go behaviour turned into a warning and every Go unmarshal failure into an error (all of them, not the first):
 * - struct keys match case-insensitively (Go's folding: ASCII case, plus `ſ` = s and the Kelvin sign = k); every
 *   spelling binds, and every spelling but the canonical one is a warning;
 * - unknown keys are ignored, with a warning and the closest known key;
 * - a repeated key: the later value wins; objects merge into the earlier one as Go decodes into the existing value;
 * - `null` leaves a field unset; a `null` list element is an error (Velero would keep a nil entry);
 * - integers are Go int64: no fraction, no exponent, within range.
 */
import { parseInt64 } from '../kube/labels.js';
import type { IssueLists } from './types.js';
import type { JsonMember, JsonNode } from './json.js';
import { fieldPath, indexPath, keyPath } from './path.js';
import { closest, type Candidate } from './suggest.js';

export interface Binder<T> {
  /** What the JSON value must be, for messages: "an integer". */
  readonly expected: string;
  /** A struct's fields, so a misplaced key can be pointed to the section it belongs in. */
  readonly fields?: Readonly<Record<string, Binder<unknown>>>;
  /**
   * The value of a non-null node, merged into `previous` when both are objects; `undefined` after reporting a type
   * error at `path`.
   */
  bind(node: JsonNode, path: string, issues: IssueLists, previous?: T): T | undefined;
  /** Go's zero value, for required fields that are absent and list elements that failed. */
  zero(): T;
}

/** How a JSON value shows in a message: `string "5"`, `number 1.5`, `a list`. */
export function describeNode(node: JsonNode): string {
  switch (node.kind) {
    case 'object':
      return 'an object';
    case 'array':
      return 'a list';
    case 'string':
      return `string ${JSON.stringify(node.value.length > 40 ? `${node.value.slice(0, 40)}…` : node.value)}`;
    case 'number':
      return `number ${node.raw}`;
    case 'boolean':
      return `${node.value}`;
    case 'null':
      return 'null';
  }
}

function typeError(issues: IssueLists, path: string, expected: string, node: JsonNode, extra = ''): void {
  issues.errors.push({ path, message: `expected ${expected}, got ${describeNode(node)}${extra}` });
}

/** Sets an own property even for keys such as `__proto__`, which plain assignment would turn into a prototype. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function scalar<T>(expected: string, read: (node: JsonNode) => T | undefined, zero: T): Binder<T> {
  return {
    expected,
    bind(node, path, issues) {
      const value = read(node);
      if (value === undefined) typeError(issues, path, expected, node);
      return value;
    },
    zero: () => zero,
  };
}

export const string = scalar('a string', (node) => (node.kind === 'string' ? node.value : undefined), '');

export const boolean = scalar('true or false', (node) => (node.kind === 'boolean' ? node.value : undefined), false);

/** Go int/int64: the literal must be a whole number without fraction or exponent, as strconv.ParseInt reads it. */
export const integer: Binder<number> = {
  expected: 'an integer',
  bind(node, path, issues) {
    let problem: string | undefined;
    if (node.kind !== 'number') problem = '';
    else if (/[.eE]/.test(node.raw)) problem = ' (Velero reads integer fields without fraction or exponent)';
    else {
      // The parser only produces JSON number syntax, so without fraction and exponent this fails only out of range.
      const n = parseInt64(node.raw);
      if (n !== undefined) return Number(n);
      problem = ', which is out of the 64-bit integer range';
    }
    typeError(issues, path, 'an integer', node, problem);
    return undefined;
  },
  zero: () => 0,
};

export function list<T>(of: Binder<T>): Binder<T[]> {
  const expected = 'a list';
  return {
    expected,
    bind(node, path, issues) {
      if (node.kind !== 'array') {
        typeError(issues, path, expected, node);
        return undefined;
      }
      return node.items.map((item, i) => {
        const at = indexPath(path, i);
        if (item.kind === 'null') {
          issues.errors.push({ path: at, message: `null list element: expected ${of.expected}; remove it` });
          return of.zero();
        }
        return of.bind(item, at, issues) ?? of.zero();
      });
    },
    zero: () => [],
  };
}

function duplicateMessage(previous: JsonMember, current: JsonMember): string {
  const merged = previous.value.kind === 'object' && current.value.kind === 'object';
  return `duplicate key (first at line ${previous.line}): ${merged ? 'both objects are merged and the later values win' : 'the later value wins'}`;
}

/** A JSON object with arbitrary keys (labels, annotations, storage class names); keys match exactly. */
export function map<T>(of: Binder<T>): Binder<Record<string, T>> {
  const expected = 'an object';
  return {
    expected,
    bind(node, path, issues, previous) {
      if (node.kind !== 'object') {
        typeError(issues, path, expected, node);
        return undefined;
      }
      const out: Record<string, T> = previous ?? {};
      const seen = new Map<string, JsonMember>();
      for (const member of node.members) {
        const at = keyPath(path, member.key);
        const earlier = seen.get(member.key);
        if (earlier !== undefined) issues.warnings.push({ path: at, message: duplicateMessage(earlier, member) });
        seen.set(member.key, member);
        if (member.value.kind === 'null') {
          issues.warnings.push({ path: at, message: `null sets this key to ${JSON.stringify(of.zero())}` });
          setOwn(out, member.key, of.zero());
          continue;
        }
        const value = of.bind(member.value, at, issues, Object.hasOwn(out, member.key) ? out[member.key] : undefined);
        if (value !== undefined) setOwn(out, member.key, value);
      }
      return out;
    },
    zero: () => ({}),
  };
}

/** Go's case folding for matching a key to a field name: ASCII case, and the two non-ASCII letters that fold to ASCII. */
function fold(key: string): string {
  return key.toLowerCase().replaceAll('ſ', 's');
}

export type StructFields<T> = { [K in keyof T]-?: Binder<Exclude<T[K], undefined>> };

export interface StructOptions<T> {
  /** Fields Go always has (non-pointer, no omitempty in our types): absent means their zero value. */
  required?: readonly (keyof T & string)[];
  /** Misspellings too far from any field for the edit distance, mapped to what to suggest. */
  hints?: Readonly<Record<string, string>>;
}

/** A Go struct: the fields of `T` with their binders. */
export function struct<T extends object>(fields: StructFields<T>, { required = [], hints = {} }: StructOptions<T> = {}): Binder<T> {
  const expected = 'an object';
  const all: Record<string, Binder<unknown>> = fields;
  const isRequired = new Set<string>(required);
  const byFold = new Map(Object.keys(all).map((name) => [fold(name), name]));
  const zeroFields = (): Record<string, unknown> => Object.fromEntries(required.map((name) => [name, all[name]?.zero()]));
  const candidates = (): Candidate[] => [
    ...Object.keys(all).map((name) => ({ name, suggestion: name })),
    ...Object.entries(all).flatMap(([name, binder]) =>
      Object.keys(binder.fields ?? {}).map((inner) => ({ name: inner, suggestion: `${name}.${inner}` })),
    ),
  ];
  const unknownKey = (key: string): string => {
    const suggestion = hints[key] ?? closest(key, candidates());
    return `unknown key, ignored${suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`}`;
  };
  return {
    expected,
    fields: all,
    bind(node, path, issues, previous) {
      if (node.kind !== 'object') {
        typeError(issues, path, expected, node);
        return undefined;
      }
      // A T is an object whose keys are T's fields, which is what this loop reads and writes.
      const out = (previous as Record<string, unknown> | undefined) ?? zeroFields();
      const seen = new Map<string, JsonMember>();
      for (const member of node.members) {
        const name = Object.hasOwn(all, member.key) ? member.key : byFold.get(fold(member.key));
        const binder = name === undefined ? undefined : all[name];
        if (name === undefined || binder === undefined) {
          issues.warnings.push({ path: keyPath(path, member.key), message: unknownKey(member.key) });
          continue;
        }
        const at = fieldPath(path, name);
        if (name !== member.key) {
          issues.warnings.push({
            path: keyPath(path, member.key),
            message: `keys match case-insensitively (as in Velero), so this sets "${name}"; spell it "${name}"`,
          });
        }
        const earlier = seen.get(name);
        if (earlier !== undefined) issues.warnings.push({ path: at, message: duplicateMessage(earlier, member) });
        seen.set(name, member);
        if (member.value.kind === 'null') {
          if (isRequired.has(name)) out[name] = binder.zero();
          else Reflect.deleteProperty(out, name);
          continue;
        }
        const value = binder.bind(member.value, at, issues, out[name]);
        if (value !== undefined) out[name] = value;
      }
      // Every key of `out` is a field of T holding what that field's binder produced.
      return out as T;
    },
    // The object has exactly T's required fields, each set to its binder's zero value.
    zero: () => zeroFields() as T,
  };
}
