/**
 * ObjectMeta validation as the real API server does it (`ValidateObjectMeta`): names by the kind's rule, namespace,
 * label keys and values, annotation keys and size, finalizers and owner references, in Kubernetes' wording.
 */
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from '../../../kube/names.js';
import { fieldErr } from '../errors.js';
import type { FieldError, KubeObject, ResourceType } from '../types.js';

const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

/** `ValidateLabelName`: a qualified name, reported at `path` with the key as the bad value. */
export function validateLabelName(key: string, path: string): FieldError[] {
  return isQualifiedName(key).map((msg) => fieldErr.invalid(path, key, msg));
}

/** `ValidateLabels`: keys and values of a label map (also pod `nodeSelector`), all reported at `path`. */
export function validateLabels(labels: Readonly<Record<string, string>> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [key, value] of Object.entries(labels ?? {})) {
    errs.push(...validateLabelName(key, path));
    errs.push(...isValidLabelValue(value).map((msg) => fieldErr.invalid(path, value, msg)));
  }
  return errs;
}

/** `path.IsValidPathSegmentName`: what custom resource names must satisfy. */
function isValidPathSegmentName(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  const errs: string[] = [];
  for (const bad of ['/', '%']) if (name.includes(bad)) errs.push(`may not contain '${bad}'`);
  return errs;
}

function validateName(name: string, rule: ResourceType['behavior']['nameRule']): string[] {
  switch (rule) {
    case 'label':
      return isDNS1123Label(name);
    case 'pathSegment':
      return isValidPathSegmentName(name);
    case 'subdomain':
      return isDNS1123Subdomain(name);
  }
}

function validateAnnotations(annotations: Readonly<Record<string, string>>): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [key, value] of Object.entries(annotations)) {
    errs.push(...isQualifiedName(key.toLowerCase()).map((msg) => fieldErr.invalid('metadata.annotations', key, msg)));
    size += key.length + value.length;
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) {
    errs.push({ type: 'FieldValueTooLong', field: 'metadata.annotations', detail: `must have at most ${TOTAL_ANNOTATION_SIZE_LIMIT} bytes` });
  }
  return errs;
}

function validateOwnerReferences(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const refs = obj.metadata.ownerReferences ?? [];
  for (const ref of refs) {
    if (ref.apiVersion === '') errs.push(fieldErr.invalid('metadata.ownerReferences.apiVersion', ref.apiVersion, 'version must not be empty'));
    if (ref.kind === '') errs.push(fieldErr.invalid('metadata.ownerReferences.kind', ref.kind, 'kind must not be empty'));
    if (ref.name === '') errs.push(fieldErr.invalid('metadata.ownerReferences.name', ref.name, 'name must not be empty'));
    if (ref.uid === '') errs.push(fieldErr.invalid('metadata.ownerReferences.uid', ref.uid, 'uid must not be empty'));
  }
  const controllers = refs.filter((r) => r.controller === true);
  if (controllers.length > 1) {
    errs.push(
      fieldErr.invalid(
        'metadata.ownerReferences',
        refs,
        `Only one reference can have Controller set to true. Found "true" in references for ${controllers.map((r) => `${r.kind}/${r.name}`).join(' and ')}`,
      ),
    );
  }
  return errs;
}

export function validateObjectMeta(obj: KubeObject, type: ResourceType): FieldError[] {
  const meta = obj.metadata;
  const errs: FieldError[] = [];
  if (meta.name === undefined || meta.name === '') {
    errs.push(fieldErr.required('metadata.name', 'name or generateName is required'));
  } else {
    errs.push(...validateName(meta.name, type.behavior.nameRule).map((msg) => fieldErr.invalid('metadata.name', meta.name, msg)));
  }
  if (type.namespaced) {
    if (meta.namespace === undefined || meta.namespace === '') errs.push(fieldErr.required('metadata.namespace'));
    else errs.push(...isDNS1123Label(meta.namespace).map((msg) => fieldErr.invalid('metadata.namespace', meta.namespace, msg)));
  }
  errs.push(...validateLabels(meta.labels, 'metadata.labels'));
  errs.push(...validateAnnotations(meta.annotations ?? {}));
  (meta.finalizers ?? []).forEach((finalizer, i) => {
    errs.push(...isQualifiedName(finalizer).map((msg) => fieldErr.invalid(`metadata.finalizers[${i}]`, finalizer, msg)));
  });
  errs.push(...validateOwnerReferences(obj));
  return errs;
}

/** `ValidateLabelSelector` (metav1.LabelSelector): matchLabels and In/NotIn/Exists/DoesNotExist expressions. */
export function validateLabelSelector(selector: unknown, path: string): FieldError[] {
  if (typeof selector !== 'object' || selector === null) return [];
  const sel = selector as Record<string, unknown>;
  const errs = validateLabels(stringMap(sel['matchLabels']), `${path}.matchLabels`);
  const exprs = Array.isArray(sel['matchExpressions']) ? (sel['matchExpressions'] as unknown[]) : [];
  exprs.forEach((e, i) => {
    const expr = typeof e === 'object' && e !== null ? (e as Record<string, unknown>) : {};
    const p = `${path}.matchExpressions[${i}]`;
    const values = Array.isArray(expr['values']) ? (expr['values'] as unknown[]).map(String) : [];
    switch (expr['operator']) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(fieldErr.required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(fieldErr.forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(fieldErr.invalid(`${p}.operator`, expr['operator'] ?? '', 'not a valid selector operator'));
    }
    errs.push(...validateLabelName(typeof expr['key'] === 'string' ? expr['key'] : '', `${p}.key`));
    values.forEach((v, j) => errs.push(...isValidLabelValue(v).map((msg) => fieldErr.invalid(`${p}.values[${j}]`, v, msg))));
  });
  return errs;
}

/** A JSON map with every value rendered as a string (what Go would have refused to decode is caught earlier). */
export function stringMap(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}
