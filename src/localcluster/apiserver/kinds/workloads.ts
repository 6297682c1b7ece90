/** DaemonSet and Deployment defaulting and validation (selector, template, immutable selector). */
import { fieldErr } from '../errors.js';
import { asRecord, deepEqual, isRecord } from '../json.js';
import type { FieldError, KubeObject } from '../types.js';
import { stringMap, validateLabelSelector } from '../validation/meta.js';
import { validatePodSpec } from '../validation/pod.js';
import { matchesRequirement } from '../../../kube/labels.js';
import { defaultPodSpec } from './pod.js';

function setDefault(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (obj[key] === undefined || obj[key] === null) obj[key] = value;
}

function defaultTemplate(spec: Record<string, unknown>): void {
  const template = spec['template'];
  if (isRecord(template) && isRecord(template['spec'])) defaultPodSpec(template['spec']);
}

export function defaultDaemonSet(ds: KubeObject): void {
  if (!isRecord(ds['spec'])) return;
  const spec = ds['spec'];
  setDefault(spec, 'revisionHistoryLimit', 10);
  setDefault(spec, 'updateStrategy', { type: 'RollingUpdate' });
  const strategy = asRecord(spec['updateStrategy']);
  if (strategy['type'] === 'RollingUpdate') setDefault(strategy, 'rollingUpdate', { maxUnavailable: 1, maxSurge: 0 });
  defaultTemplate(spec);
}

export function defaultDeployment(deploy: KubeObject): void {
  if (!isRecord(deploy['spec'])) return;
  const spec = deploy['spec'];
  setDefault(spec, 'replicas', 1);
  setDefault(spec, 'revisionHistoryLimit', 10);
  setDefault(spec, 'progressDeadlineSeconds', 600);
  setDefault(spec, 'strategy', { type: 'RollingUpdate' });
  const strategy = asRecord(spec['strategy']);
  if (strategy['type'] === 'RollingUpdate') setDefault(strategy, 'rollingUpdate', { maxUnavailable: '25%', maxSurge: '25%' });
  defaultTemplate(spec);
}

export function initialDaemonSetStatus(): Record<string, unknown> {
  return { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 };
}

function selectorMatches(selector: Record<string, unknown>, labels: Record<string, string>): boolean {
  const reqs = [
    ...Object.entries(stringMap(selector['matchLabels'])).map(([key, value]) => ({ key, operator: 'In', values: [value] })),
    ...(Array.isArray(selector['matchExpressions']) ? (selector['matchExpressions'] as unknown[]) : []).map((e) => {
      const expr = asRecord(e);
      return { key: String(expr['key']), operator: String(expr['operator']), values: Array.isArray(expr['values']) ? (expr['values'] as unknown[]).map(String) : [] };
    }),
  ];
  return reqs.length > 0 && reqs.every((r) => matchesRequirement(r, labels));
}

/** What DaemonSets and Deployments share: a selector that selects the template, and a valid pod template. */
function validateWorkload(obj: KubeObject, old: KubeObject | undefined, restartPolicies: readonly string[]): FieldError[] {
  const spec = asRecord(obj['spec']);
  const errs: FieldError[] = [];
  const selector = spec['selector'];
  const templateLabels = stringMap(asRecord(asRecord(spec['template'])['metadata'])['labels']);
  if (!isRecord(selector)) {
    errs.push(fieldErr.required('spec.selector'));
  } else {
    errs.push(...validateLabelSelector(selector, 'spec.selector'));
    if (Object.keys(stringMap(selector['matchLabels'])).length === 0 && !Array.isArray(selector['matchExpressions'])) {
      errs.push(fieldErr.invalid('spec.selector', selector, 'empty selector is invalid for deployment'));
    } else if (!selectorMatches(selector, templateLabels)) {
      errs.push(fieldErr.invalid('spec.template.metadata.labels', templateLabels, '`selector` does not match template `labels`'));
    }
  }
  const templateSpec = asRecord(spec['template'])['spec'];
  errs.push(...validatePodSpec(templateSpec, 'spec.template.spec'));
  const restartPolicy = asRecord(templateSpec)['restartPolicy'];
  if (typeof restartPolicy === 'string' && !restartPolicies.includes(restartPolicy)) {
    errs.push(fieldErr.notSupported('spec.template.spec.restartPolicy', restartPolicy, restartPolicies));
  }
  if (old !== undefined && !deepEqual(selector, asRecord(old['spec'])['selector'])) {
    errs.push(fieldErr.invalid('spec.selector', selector ?? null, 'field is immutable'));
  }
  return errs;
}

export function validateDaemonSet(ds: KubeObject, old: KubeObject | undefined): FieldError[] {
  return validateWorkload(ds, old, ['Always']);
}

export function validateDeployment(deploy: KubeObject, old: KubeObject | undefined): FieldError[] {
  return validateWorkload(deploy, old, ['Always']);
}
