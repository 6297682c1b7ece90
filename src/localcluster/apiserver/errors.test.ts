import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { alreadyExists, conflict, fieldErr, invalid, notFound, STALE_OBJECT } from './errors.js';

describe('Status errors', () => {
  it('word NotFound, AlreadyExists and Conflict like apimachinery, with details', () => {
    assert.deepEqual(notFound({ group: '', resource: 'configmaps' }, 'x').status, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'configmaps "x" not found',
      reason: 'NotFound',
      details: { name: 'x', kind: 'configmaps' },
      code: 404,
    });
    assert.equal(alreadyExists({ group: 'velero.io', resource: 'datauploads' }, 'd').message, 'datauploads.velero.io "d" already exists');
    assert.equal(conflict({ group: 'apps', resource: 'daemonsets' }, 'ds', STALE_OBJECT).status.code, 409);
  });

  it('lists several causes in brackets and one without', () => {
    const one = invalid({ group: '', kind: 'Pod' }, 'p', [fieldErr.required('spec.containers')]);
    assert.equal(one.message, 'Pod "p" is invalid: spec.containers: Required value');
    const two = invalid({ group: 'velero.io', kind: 'DataUpload' }, 'd', [fieldErr.invalid('spec.a', 3, 'too big'), fieldErr.notSupported('spec.b', 'x', ['y', 'z'])]);
    assert.equal(two.message, 'DataUpload.velero.io "d" is invalid: [spec.a: Invalid value: 3: too big, spec.b: Unsupported value: "x": supported values: "y", "z"]');
    assert.deepEqual(two.status.details?.causes?.[1], { reason: 'FieldValueNotSupported', message: 'Unsupported value: "x": supported values: "y", "z"', field: 'spec.b' });
    assert.equal(two.status.details.kind, 'DataUpload');
    assert.equal(two.status.details.group, 'velero.io');
  });
});
