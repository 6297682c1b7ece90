/**
 * Kubernetes' LabelSelector rules (`ValidateLabelSelector`) for the selectors in the config, where they are used in
 * two ways: `loadAffinity[i].nodeSelector` becomes a data-mover pod's required node affinity (so Gt/Lt work there,
 * with a warning), while `perNodeConfig[i].nodeSelector` goes through `LabelSelectorAsSelector` (which rejects Gt/Lt,
 * and Velero then skips the rule).
 */
import type { V1LabelSelector } from '@kubernetes/client-node';
import { LABEL_SELECTOR_OPERATORS, NODE_SELECTOR_OPERATORS, parseInt64, type Requirement } from '../kube/labels.js';
import { isQualifiedName, isValidLabelValue } from '../kube/names.js';
import { fieldPath, indexPath, keyPath } from './path.js';
import type { IssueLists } from './types.js';

export type SelectorUse = 'loadAffinity' | 'perNodeConfig';

export interface SelectorContext {
  use: SelectorUse;
  issues: IssueLists;
}

/** A requirement that passed every syntax check, with where it was written. */
export interface LocatedRequirement extends Requirement {
  readonly path: string;
  readonly values: readonly string[];
}

const USE_OPERATORS = '(use In, NotIn, Exists or DoesNotExist)';

/** How a requirement reads in messages: `zone In [a b]`, as Kubernetes prints value lists. */
export function showRequirement({ key, operator, values }: LocatedRequirement): string {
  const list = values.length === 0 ? '' : ` [${values.map((v) => (v === '' ? '""' : v)).join(' ')}]`;
  return `${key} ${operator}${list}`;
}

function checkKey(key: string, path: string, issues: IssueLists): boolean {
  const problems = isQualifiedName(key);
  for (const msg of problems) issues.errors.push({ path, message: `invalid label key ${JSON.stringify(key)}: ${msg}` });
  return problems.length === 0;
}

function checkValue(value: string, path: string, issues: IssueLists): boolean {
  const problems = isValidLabelValue(value);
  for (const msg of problems) issues.errors.push({ path, message: `invalid label value ${JSON.stringify(value)}: ${msg}` });
  return problems.length === 0;
}

function unknownOperator(operator: string, use: SelectorUse): string {
  const known: readonly string[] = use === 'loadAffinity' ? NODE_SELECTOR_OPERATORS : LABEL_SELECTOR_OPERATORS;
  const sameLetters = known.find((op) => op.toLowerCase() === operator.toLowerCase());
  const hint = sameLetters === undefined ? '' : `; did you mean "${sameLetters}"? (operators are case-sensitive)`;
  return `${JSON.stringify(operator)} is not a valid operator ${USE_OPERATORS}${hint}`;
}

/** Checks the operator and its values; true when the requirement can be built. */
function checkOperator(operator: string, values: readonly string[], at: string, { use, issues }: SelectorContext): boolean {
  const valuesAt = fieldPath(at, 'values');
  switch (operator) {
    case 'In':
    case 'NotIn':
      if (values.length > 0) return true;
      issues.errors.push({ path: valuesAt, message: "must be specified when `operator` is 'In' or 'NotIn'" });
      return false;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length === 0) return true;
      issues.errors.push({ path: valuesAt, message: "may not be specified when `operator` is 'Exists' or 'DoesNotExist'" });
      return false;
    case 'Gt':
    case 'Lt':
      if (use === 'perNodeConfig') {
        issues.errors.push({
          path: fieldPath(at, 'operator'),
          message: `${JSON.stringify(operator)} is not a valid label selector operator ${USE_OPERATORS}: Velero cannot parse this rule's selector and skips the rule`,
        });
        return false;
      }
      issues.warnings.push({
        path: fieldPath(at, 'operator'),
        message: `${JSON.stringify(operator)} is not a LabelSelector operator: node affinity supports it, so data-mover pods get it as written, but tools that read nodeSelector as a LabelSelector reject it`,
      });
      if (values.length !== 1) {
        issues.errors.push({ path: valuesAt, message: `must be specified single value when \`operator\` is 'Lt' or 'Gt' (got ${values.length})` });
        return false;
      }
      if (parseInt64(values[0] ?? '') === undefined) {
        issues.errors.push({
          path: indexPath(valuesAt, 0),
          message: `${JSON.stringify(values[0])} is not a base-10 64-bit integer, so no node can match this requirement`,
        });
        return false;
      }
      return true;
    default:
      issues.errors.push({ path: fieldPath(at, 'operator'), message: unknownOperator(operator, use) });
      return false;
  }
}

/** Reports the label keys and values that break Kubernetes' syntax; returns the valid labels as `key In [value]`. */
export function checkLabels(labels: Readonly<Record<string, string>>, path: string, issues: IssueLists): LocatedRequirement[] {
  const valid: LocatedRequirement[] = [];
  for (const [key, value] of Object.entries(labels)) {
    const at = keyPath(path, key);
    const keyOk = checkKey(key, at, issues);
    if (checkValue(value, at, issues) && keyOk) valid.push({ path: at, key, operator: 'In', values: [value] });
  }
  return valid;
}

/**
 * Reports every syntax problem of a selector and returns its requirements that are valid: matchLabels as `In [v]`
 * first, then matchExpressions in order, as Velero turns them into node affinity.
 */
export function checkSelector(selector: V1LabelSelector, path: string, context: SelectorContext): LocatedRequirement[] {
  const { issues } = context;
  const valid = checkLabels(selector.matchLabels ?? {}, fieldPath(path, 'matchLabels'), issues);
  for (const [i, expr] of (selector.matchExpressions ?? []).entries()) {
    const at = indexPath(fieldPath(path, 'matchExpressions'), i);
    const values = expr.values ?? [];
    const keyOk = checkKey(expr.key, fieldPath(at, 'key'), issues);
    const operatorOk = checkOperator(expr.operator, values, at, context);
    const valuesOk = values.map((v, j) => checkValue(v, indexPath(fieldPath(at, 'values'), j), issues)).every(Boolean);
    if (keyOk && operatorOk && valuesOk) valid.push({ path: at, key: expr.key, operator: expr.operator, values });
  }
  return valid;
}

export function isEmptySelector(selector: V1LabelSelector): boolean {
  return Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
}
