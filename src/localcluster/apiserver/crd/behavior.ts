/**
 * The CustomResourceDefinition kind itself: defaulting, validation (names, group, scope, exactly one storage
 * version, schemas) and the status a real server's CRD controllers would set (NamesAccepted, Established).
 */
import { isDNS1123Label, isDNS1123Subdomain } from '../../../kube/names.js';
import { fieldErr } from '../errors.js';
import { asArray, asRecord, asString, isRecord } from '../json.js';
import type { FieldError, KindBehavior, KubeObject } from '../types.js';

export const CRD_CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

function defaultCrd(crd: KubeObject): void {
  const spec = asRecord(crd['spec']);
  const names = asRecord(spec['names']);
  const kind = asString(names['kind']);
  if (kind !== undefined) {
    names['singular'] ??= kind.toLowerCase();
    names['listKind'] ??= `${kind}List`;
  }
  spec['conversion'] ??= { strategy: 'None' };
  for (const version of asArray(spec['versions'])) {
    if (!isRecord(version)) continue;
    for (const col of asArray(version['additionalPrinterColumns'])) if (isRecord(col)) col['priority'] ??= 0;
  }
}

function validateNames(names: Record<string, unknown>): FieldError[] {
  const errs: FieldError[] = [];
  for (const field of ['plural', 'singular'] as const) {
    const value = asString(names[field]) ?? '';
    if (value === '' && field === 'plural') errs.push(fieldErr.required('spec.names.plural'));
    else if (value !== '') errs.push(...isDNS1123Label(value).map((msg) => fieldErr.invalid(`spec.names.${field}`, value, msg)));
  }
  if ((asString(names['kind']) ?? '') === '') errs.push(fieldErr.required('spec.names.kind'));
  asArray(names['shortNames']).forEach((s, i) => {
    errs.push(...isDNS1123Label(String(s)).map((msg) => fieldErr.invalid(`spec.names.shortNames[${i}]`, s, msg)));
  });
  return errs;
}

function validateVersions(versions: unknown[]): FieldError[] {
  const errs: FieldError[] = [];
  if (versions.length === 0) return [fieldErr.invalid('spec.versions', versions, 'must have exactly one version marked as storage version')];
  const seen = new Set<string>();
  versions.forEach((v, i) => {
    const version = asRecord(v);
    const name = asString(version['name']) ?? '';
    if (name === '') errs.push(fieldErr.required(`spec.versions[${i}].name`));
    else errs.push(...isDNS1123Label(name).map((msg) => fieldErr.invalid(`spec.versions[${i}].name`, name, msg)));
    if (seen.has(name)) errs.push(fieldErr.duplicate(`spec.versions[${i}].name`, name));
    seen.add(name);
    if (!isRecord(asRecord(version['schema'])['openAPIV3Schema'])) errs.push(fieldErr.required(`spec.versions[${i}].schema.openAPIV3Schema`, 'schemas are required'));
  });
  const storage = versions.filter((v) => asRecord(v)['storage'] === true).length;
  if (storage !== 1) errs.push(fieldErr.invalid('spec.versions', versions.map((v) => asString(asRecord(v)['name'])), 'must have exactly one version marked as storage version'));
  return errs;
}

function validateCrd(crd: KubeObject, old: KubeObject | undefined): FieldError[] {
  const spec = asRecord(crd['spec']);
  const names = asRecord(spec['names']);
  const group = asString(spec['group']) ?? '';
  const errs: FieldError[] = [];
  const expected = `${asString(names['plural']) ?? ''}.${group}`;
  if (crd.metadata.name !== expected) errs.push(fieldErr.invalid('metadata.name', crd.metadata.name, 'must be spec.names.plural+"."+spec.group'));
  if (group === '') errs.push(fieldErr.required('spec.group'));
  else {
    errs.push(...isDNS1123Subdomain(group).map((msg) => fieldErr.invalid('spec.group', group, msg)));
    if (!group.includes('.')) errs.push(fieldErr.invalid('spec.group', group, 'should be a domain with at least one dot'));
  }
  errs.push(...validateNames(names));
  const scope = spec['scope'];
  if (scope !== 'Cluster' && scope !== 'Namespaced') errs.push(fieldErr.notSupported('spec.scope', scope ?? '', ['Cluster', 'Namespaced']));
  errs.push(...validateVersions(asArray(spec['versions'])));
  if (old !== undefined) {
    const oldSpec = asRecord(old['spec']);
    if (oldSpec['scope'] !== scope) errs.push(fieldErr.invalid('spec.scope', scope, 'field is immutable'));
    if (oldSpec['group'] !== group) errs.push(fieldErr.invalid('spec.group', group, 'field is immutable'));
  }
  return errs;
}

/** What the CRD controllers report once they accepted the names and serve the resource. */
export function crdStatus(crd: KubeObject, now: string): Record<string, unknown> {
  const spec = asRecord(crd['spec']);
  const storage = asArray(spec['versions']).map(asRecord).find((v) => v['storage'] === true);
  const previous = asArray(asRecord(crd['status'])['storedVersions']).map(String);
  const storedVersions = [...new Set([...previous, ...(storage === undefined ? [] : [String(storage['name'])])])];
  const condition = (type: string, reason: string, message: string): Record<string, unknown> => ({
    type,
    status: 'True',
    lastTransitionTime: now,
    reason,
    message,
  });
  return {
    conditions: [
      condition('NamesAccepted', 'NoConflicts', 'no conflicts found'),
      condition('Established', 'InitialNamesAccepted', 'the initial names have been accepted'),
    ],
    acceptedNames: spec['names'],
    storedVersions,
  };
}

export const crdBehavior: Partial<KindBehavior> = {
  tracksGeneration: true,
  defaults: defaultCrd,
  validate: validateCrd,
  initialStatus: (crd) => crdStatus(crd, crd.metadata.creationTimestamp ?? new Date().toISOString()),
  onDeletionStart: (crd) => {
    const finalizers = crd.metadata.finalizers ?? [];
    if (!finalizers.includes(CRD_CLEANUP_FINALIZER)) crd.metadata.finalizers = [...finalizers, CRD_CLEANUP_FINALIZER];
  },
};
