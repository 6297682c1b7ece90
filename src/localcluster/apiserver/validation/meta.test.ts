import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorString } from '../errors.js';
import { BUILTIN_RESOURCES } from '../resources/builtins.js';
import type { KubeObject, ResourceType } from '../types.js';
import { validateLabelSelector, validateObjectMeta } from './meta.js';

const type = (plural: string): ResourceType => {
  const found = BUILTIN_RESOURCES.find((t) => t.plural === plural && t.group === '');
  assert.ok(found);
  return found;
};

const obj = (metadata: KubeObject['metadata']): KubeObject => ({ apiVersion: 'v1', kind: 'X', metadata });

describe('ObjectMeta validation', () => {
  it('checks names by the kind rule, namespaces, labels, annotations, finalizers and owner references', () => {
    const errs = validateObjectMeta(
      obj({
        name: 'Bad_Name',
        namespace: 'ns',
        labels: { 'ok/key': 'v', 'a/b/c': 'x', k: '-bad' },
        annotations: { 'Bad Key': 'v' },
        finalizers: ['example.com/ok', 'not valid'],
        ownerReferences: [
          { apiVersion: 'v1', kind: 'ConfigMap', name: 'a', uid: '1', controller: true },
          { apiVersion: 'v1', kind: 'ConfigMap', name: 'b', uid: '', controller: true },
        ],
      }),
      type('configmaps'),
    ).map(fieldErrorString);
    assert.match(errs[0] ?? '', /^metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
    assert.ok(errs.some((e) => e.startsWith('metadata.labels: Invalid value: "a/b/c": a qualified name must consist')));
    assert.ok(errs.some((e) => e.startsWith('metadata.labels: Invalid value: "-bad": a valid label must be an empty string')));
    assert.ok(errs.some((e) => e.startsWith('metadata.annotations: Invalid value: "Bad Key": name part must consist')));
    assert.ok(errs.some((e) => e.startsWith('metadata.finalizers[1]: Invalid value: "not valid"')));
    assert.ok(errs.includes('metadata.ownerReferences.uid: Invalid value: "": uid must not be empty'));
    assert.ok(errs.some((e) => e.includes('Only one reference can have Controller set to true')));
  });

  it('requires a name and uses DNS labels for namespaces', () => {
    assert.deepEqual(validateObjectMeta(obj({ namespace: 'ns' }), type('configmaps')).map(fieldErrorString), ['metadata.name: Required value: name or generateName is required']);
    assert.match(fieldErrorString(validateObjectMeta(obj({ name: 'a.b' }), type('namespaces'))[0] ?? { type: 'FieldValueRequired', field: '', detail: '' }), /a lowercase RFC 1123 label/);
    assert.deepEqual(validateObjectMeta(obj({ name: 'x' }), type('configmaps')).map(fieldErrorString), ['metadata.namespace: Required value']);
  });

  it('validates LabelSelectors without Gt/Lt', () => {
    const errs = validateLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }, { key: 'b', operator: 'In' }] }, 'spec.selector').map(fieldErrorString);
    assert.deepEqual(errs, [
      'spec.selector.matchExpressions[0].operator: Invalid value: "Gt": not a valid selector operator',
      "spec.selector.matchExpressions[1].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    ]);
  });
});
