/**
 * Structural schemas of custom resources (a CRD version's `openAPIV3Schema`): pruning of unknown fields (unless
 * `x-kubernetes-preserve-unknown-fields`), defaulting, and validation of types, required fields, enums, bounds,
 * lengths and patterns with the messages the real server gives. CEL rules (`x-kubernetes-validations`) are not
 * evaluated.
 */
import { fieldErr } from '../errors.js';
import { asArray, asNumber, asRecord, asString, clone, deepEqual, isRecord, removeField } from '../json.js';
import type { FieldError, ObjectSchema } from '../types.js';

interface Schema {
  type: string | undefined;
  properties: Map<string, Schema> | undefined;
  additionalProperties: Schema | boolean | undefined;
  items: Schema | undefined;
  required: string[];
  enum: unknown[] | undefined;
  nullable: boolean;
  default: unknown;
  preserveUnknown: boolean;
  intOrString: boolean;
  embedded: boolean;
  raw: Record<string, unknown>;
}

function compile(value: unknown): Schema {
  const raw = asRecord(value);
  const props = raw['properties'];
  const additional = raw['additionalProperties'];
  return {
    type: asString(raw['type']),
    properties: isRecord(props) ? new Map(Object.entries(props).map(([k, v]) => [k, compile(v)])) : undefined,
    additionalProperties: typeof additional === 'boolean' ? additional : isRecord(additional) ? compile(additional) : undefined,
    items: isRecord(raw['items']) ? compile(raw['items']) : undefined,
    required: asArray(raw['required']).map(String),
    enum: Array.isArray(raw['enum']) ? (raw['enum'] as unknown[]) : undefined,
    nullable: raw['nullable'] === true,
    default: raw['default'],
    preserveUnknown: raw['x-kubernetes-preserve-unknown-fields'] === true,
    intOrString: raw['x-kubernetes-int-or-string'] === true,
    embedded: raw['x-kubernetes-embedded-resource'] === true,
    raw,
  };
}

const OBJECT_META_KEYS = new Set(['apiVersion', 'kind', 'metadata']);

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function prune(value: unknown, schema: Schema, path: string, keepMeta: boolean, pruned: string[]): void {
  if (Array.isArray(value)) {
    const items = schema.items;
    if (items !== undefined) value.forEach((item, i) => { prune(item, items, `${path}[${i}]`, items.embedded, pruned); });
    return;
  }
  if (!isRecord(value)) return;
  for (const [key, propSchema] of schema.properties ?? []) {
    if ((value[key] === undefined || (value[key] === null && !propSchema.nullable)) && propSchema.default !== undefined) {
      value[key] = clone(propSchema.default);
    }
  }
  for (const key of Object.keys(value)) {
    if (keepMeta && OBJECT_META_KEYS.has(key)) continue;
    const child = schema.properties?.get(key);
    if (child !== undefined) prune(value[key], child, join(path, key), child.embedded, pruned);
    else if (typeof schema.additionalProperties === 'object') prune(value[key], schema.additionalProperties, join(path, key), schema.additionalProperties.embedded, pruned);
    else if (schema.additionalProperties !== true && !schema.preserveUnknown) {
      removeField(value, key);
      pruned.push(join(path, key));
    }
  }
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeMatches(type: string, value: unknown): boolean {
  const actual = jsonType(value);
  return type === actual || (type === 'number' && actual === 'integer');
}

function validateValue(value: unknown, schema: Schema, path: string, isRoot: boolean): FieldError[] {
  const where = path === '' ? '<root>' : path;
  if (value === null) {
    return schema.nullable || schema.type === undefined ? [] : [fieldErr.typeInvalid(where, 'null', `${where} in body must be of type ${schema.type}: "null"`)];
  }
  if (schema.intOrString) {
    if (!Number.isInteger(value) && typeof value !== 'string') {
      return [fieldErr.typeInvalid(where, jsonType(value), `${where} in body must be of type integer-or-string: "${jsonType(value)}"`)];
    }
  } else if (schema.type !== undefined && !typeMatches(schema.type, value)) {
    return [fieldErr.typeInvalid(where, jsonType(value), `${where} in body must be of type ${schema.type}: "${jsonType(value)}"`)];
  }
  const errs: FieldError[] = [];
  if (schema.enum !== undefined && !schema.enum.some((e) => deepEqual(e, value))) {
    errs.push(fieldErr.notSupported(where, value, schema.enum.map((e) => (typeof e === 'string' ? e : JSON.stringify(e)))));
  }
  errs.push(...validateBounds(value, schema, where));
  if (Array.isArray(value) && schema.items !== undefined) {
    const items = schema.items;
    value.forEach((item, i) => errs.push(...validateValue(item, items, `${path}[${i}]`, false)));
  }
  if (isRecord(value)) {
    for (const key of schema.required) {
      if (value[key] === undefined) errs.push(fieldErr.required(join(path, key)));
    }
    for (const [key, child] of Object.entries(value)) {
      if ((isRoot || schema.embedded) && key === 'metadata') continue;
      const childSchema = schema.properties?.get(key) ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
      if (childSchema !== undefined) errs.push(...validateValue(child, childSchema, join(path, key), false));
    }
  }
  return errs;
}

function validateBounds(value: unknown, schema: Schema, where: string): FieldError[] {
  const raw = schema.raw;
  const errs: FieldError[] = [];
  if (typeof value === 'number') {
    const min = asNumber(raw['minimum']);
    const max = asNumber(raw['maximum']);
    if (min !== undefined && (raw['exclusiveMinimum'] === true ? value <= min : value < min)) {
      errs.push(fieldErr.invalid(where, value, `${where} in body should be greater than ${raw['exclusiveMinimum'] === true ? '' : 'or equal to '}${min}`));
    }
    if (max !== undefined && (raw['exclusiveMaximum'] === true ? value >= max : value > max)) {
      errs.push(fieldErr.invalid(where, value, `${where} in body should be less than ${raw['exclusiveMaximum'] === true ? '' : 'or equal to '}${max}`));
    }
  }
  if (typeof value === 'string') {
    const minLength = asNumber(raw['minLength']);
    const maxLength = asNumber(raw['maxLength']);
    const pattern = asString(raw['pattern']);
    if (minLength !== undefined && value.length < minLength) errs.push(fieldErr.invalid(where, value, `${where} in body should be at least ${minLength} chars long`));
    if (maxLength !== undefined && value.length > maxLength) errs.push({ type: 'FieldValueTooLong', field: where, detail: `may not be more than ${maxLength} bytes` });
    if (pattern !== undefined && !safeRegExp(pattern).test(value)) errs.push(fieldErr.invalid(where, value, `${where} in body should match '${pattern}'`));
  }
  if (Array.isArray(value)) {
    const minItems = asNumber(raw['minItems']);
    const maxItems = asNumber(raw['maxItems']);
    if (minItems !== undefined && value.length < minItems) errs.push(fieldErr.invalid(where, value.length, `${where} in body should have at least ${minItems} items`));
    if (maxItems !== undefined && value.length > maxItems) errs.push({ type: 'FieldValueTooLong', field: where, detail: `must have at most ${maxItems} items` });
  }
  return errs;
}

function safeRegExp(pattern: string): RegExp {
  try {
    return new RegExp(pattern, 'u');
  } catch {
    return /(?:)/;
  }
}

export function compileSchema(openAPIV3Schema: unknown): ObjectSchema {
  const root = compile(openAPIV3Schema);
  return {
    pruneAndDefault(obj) {
      const pruned: string[] = [];
      prune(obj, root, '', true, pruned);
      return pruned;
    },
    validate: (obj) => validateValue(obj, root, '', true),
  };
}
