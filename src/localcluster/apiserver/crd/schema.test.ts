import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorString } from '../errors.js';
import { compileSchema } from './schema.js';

const schema = compileSchema({
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['phase'],
      properties: {
        phase: { type: 'string', enum: ['New', 'Done'] },
        size: { type: 'integer', minimum: 1, maximum: 10 },
        name: { type: 'string', maxLength: 3, pattern: '^[a-z]+$' },
        port: { 'x-kubernetes-int-or-string': true },
        tags: { type: 'array', maxItems: 2, items: { type: 'string' } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        color: { type: 'string', default: 'blue' },
        opaque: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        note: { type: 'string', nullable: true },
      },
    },
  },
});

describe('structural schemas', () => {
  it('prunes unknown fields (keeping apiVersion, kind, metadata and preserved subtrees) and fills defaults', () => {
    const obj: Record<string, unknown> = {
      apiVersion: 'x/v1',
      kind: 'X',
      metadata: { name: 'a', whatever: 1 },
      extra: true,
      spec: { phase: 'New', unknown: 1, opaque: { anything: { goes: 1 } }, tags: ['a'] },
    };
    assert.deepEqual(schema.pruneAndDefault(obj), ['extra', 'spec.unknown']);
    assert.deepEqual(obj, { apiVersion: 'x/v1', kind: 'X', metadata: { name: 'a', whatever: 1 }, spec: { phase: 'New', opaque: { anything: { goes: 1 } }, tags: ['a'], color: 'blue' } });
  });

  it('reports type, enum, required, bounds, length, pattern and item-count errors in the real wording', () => {
    const errs = schema
      .validate({ spec: { phase: 'Gone', size: 11, name: 'ABCD', port: true, tags: ['a', 'b', 'c'], labels: { a: 1 }, note: null, color: 3 } })
      .map(fieldErrorString);
    assert.deepEqual(errs, [
      'spec.phase: Unsupported value: "Gone": supported values: "New", "Done"',
      'spec.size: Invalid value: 11: spec.size in body should be less than or equal to 10',
      'spec.name: Too long: may not be more than 3 bytes',
      "spec.name: Invalid value: \"ABCD\": spec.name in body should match '^[a-z]+$'",
      'spec.port: Invalid value: "boolean": spec.port in body must be of type integer-or-string: "boolean"',
      'spec.tags: Too long: must have at most 2 items',
      'spec.labels.a: Invalid value: "integer": spec.labels.a in body must be of type string: "integer"',
      'spec.color: Invalid value: "integer": spec.color in body must be of type string: "integer"',
    ]);
    assert.deepEqual(schema.validate({ spec: {} }).map(fieldErrorString), ['spec.phase: Required value']);
    assert.deepEqual(schema.validate({ spec: { phase: 'New', size: 0.5 } }).map(fieldErrorString), [
      'spec.size: Invalid value: "number": spec.size in body must be of type integer: "number"',
    ]);
  });
});
