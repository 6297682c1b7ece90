/**
 * Pod validation as kube-apiserver 1.32 does it (`pkg/apis/core/validation`), for the parts Ferry relies on the
 * server to catch: containers and volumes, restart policy, tolerations, `nodeSelector` and node affinity
 * (`ValidateNodeSelector`, `ValidateNodeSelectorRequirement`, `ValidateNodeFieldSelectorRequirement`, preferred
 * terms), plus the rule that a running pod's spec is immutable except for images, deadlines and new tolerations.
 * Paths and messages match the real server's, so a data-mover pod a real cluster rejects is rejected here too.
 */
import { isDNS1123Label, isDNS1123Subdomain, isValidLabelValue } from '../../../kube/names.js';
import { fieldErr } from '../errors.js';
import { asArray, asRecord, asString, clone, deepEqual, isRecord } from '../json.js';
import type { FieldError, KubeObject } from '../types.js';
import { validateLabelName, validateLabels } from './meta.js';

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const NODE_FIELD_SELECTOR_KEYS = ['metadata.name'];

function values(req: Record<string, unknown>): string[] {
  return asArray(req['values']).map(String);
}

/** `ValidateNodeSelectorRequirement` (matchExpressions of node selector terms). */
function validateNodeSelectorRequirement(req: Record<string, unknown>, path: string, allowInvalidValues: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const vals = values(req);
  const operator = req['operator'];
  switch (operator) {
    case 'In':
    case 'NotIn':
      if (vals.length === 0) errs.push(fieldErr.required(`${path}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (vals.length > 0) errs.push(fieldErr.forbidden(`${path}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case 'Gt':
    case 'Lt':
      if (vals.length !== 1) errs.push(fieldErr.required(`${path}.values`, "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      break;
    default:
      errs.push(fieldErr.invalid(`${path}.operator`, operator ?? '', 'not a valid selector operator'));
  }
  errs.push(...validateLabelName(asString(req['key']) ?? '', `${path}.key`));
  if (!allowInvalidValues) {
    vals.forEach((value, i) => {
      errs.push(...isValidLabelValue(value).map((msg) => fieldErr.invalid(`${path}.values[${i}]`, value, msg)));
    });
  }
  return errs;
}

/** `ValidateNodeFieldSelectorRequirement` (matchFields: only `metadata.name`, In/NotIn, one value). */
function validateNodeFieldSelectorRequirement(req: Record<string, unknown>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const operator = req['operator'];
  if (operator === 'In' || operator === 'NotIn') {
    if (values(req).length !== 1) {
      errs.push(fieldErr.required(`${path}.values`, "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
    }
  } else {
    errs.push(fieldErr.invalid(`${path}.operator`, operator ?? '', 'not a valid selector operator'));
  }
  const key = asString(req['key']) ?? '';
  if (!NODE_FIELD_SELECTOR_KEYS.includes(key)) {
    errs.push(fieldErr.invalid(`${path}.key`, key, 'not a valid field selector key'));
  } else {
    values(req).forEach((value, i) => {
      errs.push(...isDNS1123Subdomain(value).map((msg) => fieldErr.invalid(`${path}.values[${i}]`, value, msg)));
    });
  }
  return errs;
}

function validateNodeSelectorTerm(term: unknown, path: string, allowInvalidValues: boolean): FieldError[] {
  const t = asRecord(term);
  return [
    ...asArray(t['matchExpressions']).flatMap((req, j) =>
      validateNodeSelectorRequirement(asRecord(req), `${path}.matchExpressions[${j}]`, allowInvalidValues),
    ),
    ...asArray(t['matchFields']).flatMap((req, j) => validateNodeFieldSelectorRequirement(asRecord(req), `${path}.matchFields[${j}]`)),
  ];
}

/** `ValidateNodeSelector`: at least one term; every term's requirements. */
function validateNodeSelector(selector: unknown, path: string): FieldError[] {
  const terms = asArray(asRecord(selector)['nodeSelectorTerms']);
  const termsPath = `${path}.nodeSelectorTerms`;
  if (terms.length === 0) return [fieldErr.required(termsPath, 'must have at least one node selector term')];
  return terms.flatMap((term, i) => validateNodeSelectorTerm(term, `${termsPath}[${i}]`, false));
}

function validatePreferredTerms(terms: unknown, path: string): FieldError[] {
  return asArray(terms).flatMap((term, i) => {
    const t = asRecord(term);
    const weight = t['weight'];
    const errs: FieldError[] = [];
    if (typeof weight !== 'number' || weight <= 0 || weight > 100) {
      errs.push(fieldErr.invalid(`${path}[${i}].weight`, weight ?? 0, 'must be in the range 1-100'));
    }
    // Preferred terms never reject invalid label values (AllowInvalidLabelValueInRequiredNodeAffinity is irrelevant).
    errs.push(...validateNodeSelectorTerm(t['preference'], `${path}[${i}].preference`, true));
    return errs;
  });
}

function validateNodeAffinity(nodeAffinity: unknown, path: string): FieldError[] {
  const na = asRecord(nodeAffinity);
  const errs: FieldError[] = [];
  const required = na['requiredDuringSchedulingIgnoredDuringExecution'];
  if (required !== undefined && required !== null) {
    errs.push(...validateNodeSelector(required, `${path}.requiredDuringSchedulingIgnoredDuringExecution`));
  }
  errs.push(...validatePreferredTerms(na['preferredDuringSchedulingIgnoredDuringExecution'], `${path}.preferredDuringSchedulingIgnoredDuringExecution`));
  return errs;
}

function validateTolerations(tolerations: unknown, path: string): FieldError[] {
  return asArray(tolerations).flatMap((tol, i) => {
    const t = asRecord(tol);
    const p = `${path}[${i}]`;
    const key = asString(t['key']) ?? '';
    const operator = asString(t['operator']) ?? '';
    const value = asString(t['value']) ?? '';
    const effect = asString(t['effect']) ?? '';
    const errs: FieldError[] = [];
    if (key !== '') errs.push(...validateLabelName(key, `${p}.key`));
    if (key === '' && operator !== 'Exists') {
      errs.push(fieldErr.invalid(`${p}.operator`, operator, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t['tolerationSeconds'] !== undefined && t['tolerationSeconds'] !== null && effect !== 'NoExecute') {
      errs.push(fieldErr.invalid(`${p}.effect`, effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (operator === 'Equal' || operator === '') {
      errs.push(...isValidLabelValue(value).map((msg) => fieldErr.invalid(`${p}.operator`, value, msg)));
    } else if (operator === 'Exists') {
      if (value !== '') errs.push(fieldErr.invalid(`${p}.operator`, t, "value must be empty when `operator` is 'Exists'"));
    } else {
      errs.push(fieldErr.notSupported(`${p}.operator`, operator, ['Equal', 'Exists']));
    }
    if (effect !== '' && !TAINT_EFFECTS.includes(effect)) errs.push(fieldErr.notSupported(`${p}.effect`, effect, TAINT_EFFECTS));
    return errs;
  });
}

function validateVolumes(volumes: unknown, path: string): { errs: FieldError[]; names: Set<string> } {
  const names = new Set<string>();
  const errs = asArray(volumes).flatMap((vol, i) => {
    const name = asString(asRecord(vol)['name']) ?? '';
    const p = `${path}[${i}].name`;
    if (name === '') return [fieldErr.required(p)];
    const e = isDNS1123Label(name).map((msg) => fieldErr.invalid(p, name, msg));
    if (names.has(name)) e.push(fieldErr.duplicate(p, name));
    names.add(name);
    return e;
  });
  return { errs, names };
}

function validateContainers(containers: unknown, path: string, volumes: Set<string>, allNames: Set<string>): FieldError[] {
  return asArray(containers).flatMap((c, i) => {
    const container = asRecord(c);
    const p = `${path}[${i}]`;
    const errs: FieldError[] = [];
    const name = asString(container['name']) ?? '';
    if (name === '') errs.push(fieldErr.required(`${p}.name`));
    else {
      errs.push(...isDNS1123Label(name).map((msg) => fieldErr.invalid(`${p}.name`, name, msg)));
      if (allNames.has(name)) errs.push(fieldErr.duplicate(`${p}.name`, name));
      allNames.add(name);
    }
    if ((asString(container['image']) ?? '').trim() === '') errs.push(fieldErr.required(`${p}.image`));
    const pull = container['imagePullPolicy'];
    if (typeof pull === 'string' && !PULL_POLICIES.includes(pull)) errs.push(fieldErr.notSupported(`${p}.imagePullPolicy`, pull, PULL_POLICIES));
    asArray(container['volumeMounts']).forEach((m, j) => {
      const mount = asRecord(m);
      const mountName = asString(mount['name']) ?? '';
      if (mountName === '') errs.push(fieldErr.required(`${p}.volumeMounts[${j}].name`));
      else if (!volumes.has(mountName)) errs.push(fieldErr.notFound(`${p}.volumeMounts[${j}].name`, mountName));
      if ((asString(mount['mountPath']) ?? '') === '') errs.push(fieldErr.required(`${p}.volumeMounts[${j}].mountPath`));
    });
    return errs;
  });
}

/** `ValidatePodSpec` for the fields above; `path` is `spec` for pods and `spec.template.spec` for workloads. */
export function validatePodSpec(podSpec: unknown, path: string): FieldError[] {
  const spec = asRecord(podSpec);
  const errs: FieldError[] = [];
  const { errs: volumeErrs, names: volumes } = validateVolumes(spec['volumes'], `${path}.volumes`);
  errs.push(...volumeErrs);
  if (asArray(spec['containers']).length === 0) errs.push(fieldErr.required(`${path}.containers`));
  const containerNames = new Set<string>();
  errs.push(...validateContainers(spec['containers'], `${path}.containers`, volumes, containerNames));
  errs.push(...validateContainers(spec['initContainers'], `${path}.initContainers`, volumes, containerNames));
  const restartPolicy = spec['restartPolicy'];
  if (typeof restartPolicy === 'string' && !RESTART_POLICIES.includes(restartPolicy)) {
    errs.push(fieldErr.notSupported(`${path}.restartPolicy`, restartPolicy, RESTART_POLICIES));
  }
  const nodeSelector = spec['nodeSelector'];
  if (isRecord(nodeSelector)) {
    errs.push(...validateLabels(Object.fromEntries(Object.entries(nodeSelector).map(([k, v]) => [k, String(v)])), `${path}.nodeSelector`));
  }
  const nodeAffinity = asRecord(spec['affinity'])['nodeAffinity'];
  if (nodeAffinity !== undefined && nodeAffinity !== null) errs.push(...validateNodeAffinity(nodeAffinity, `${path}.affinity.nodeAffinity`));
  errs.push(...validateTolerations(spec['tolerations'], `${path}.tolerations`));
  for (const field of ['serviceAccountName', 'nodeName', 'priorityClassName'] as const) {
    const value = asString(spec[field]);
    if (value !== undefined && value !== '') errs.push(...isDNS1123Subdomain(value).map((msg) => fieldErr.invalid(`${path}.${field}`, value, msg)));
  }
  return errs;
}

const POD_UPDATE_RULE =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/** The spec with the fields an update may change blanked out, so two of them compare equal when the update is allowed. */
function mutableFieldsMasked(podSpec: unknown, tolerationCount: number): Record<string, unknown> {
  const spec = clone(asRecord(podSpec));
  for (const key of ['containers', 'initContainers']) {
    for (const c of asArray(spec[key])) if (isRecord(c)) delete c['image'];
  }
  delete spec['activeDeadlineSeconds'];
  delete spec['schedulingGates'];
  spec['tolerations'] = asArray(spec['tolerations']).slice(0, tolerationCount);
  return spec;
}

export function validatePod(pod: KubeObject, old: KubeObject | undefined): FieldError[] {
  const errs = validatePodSpec(pod['spec'], 'spec');
  if (old !== undefined) {
    const oldTolerations = asArray(asRecord(old['spec'])['tolerations']).length;
    if (!deepEqual(mutableFieldsMasked(pod['spec'], oldTolerations), mutableFieldsMasked(old['spec'], oldTolerations))) {
      errs.push(fieldErr.forbidden('spec', POD_UPDATE_RULE));
    }
  }
  return errs;
}
