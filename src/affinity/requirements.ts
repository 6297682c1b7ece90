import { isQualifiedName, isValidLabelValue } from '../kube/names.js';
import { parseInt64, type Requirement } from '../kube/labels.js';

/** How a value shows in a reason: as it is, except the empty string, which would be invisible. */
export function show(value: string): string {
  return value === '' ? '""' : value;
}

/** Longer value lists are cut in reasons: a hostname list of hundreds of nodes would drown the table. */
const LIST_SHOWN = 10;

/** Go's `fmt` rendering of a string slice, which Kubernetes and Velero messages use: `[a b c]`; long lists are cut. */
export function showList(values: readonly string[] | undefined): string {
  const all = values ?? [];
  if (all.length <= LIST_SHOWN + 2) return `[${all.map(show).join(' ')}]`;
  return `[${all.slice(0, LIST_SHOWN).map(show).join(' ')} … and ${all.length - LIST_SHOWN} more]`;
}

/**
 * Why a requirement cannot be built, as apimachinery's `labels.NewRequirement` checks it: a qualified key, the value
 * count each operator needs, Gt/Lt bounds that are base-10 int64, and values that are valid label values. The caller
 * checks the operator is one it supports. Empty list: valid.
 */
export function requirementErrors({ key, operator, values = [] }: Requirement): string[] {
  const errs = isQualifiedName(key).map((msg) => `${show(key)}: invalid label key (${msg})`);
  switch (operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) errs.push(`${show(key)}: ${operator} needs at least one value`);
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) errs.push(`${show(key)}: ${operator} takes no values, got ${showList(values)}`);
      break;
    case 'Gt':
    case 'Lt':
      if (values.length !== 1) errs.push(`${show(key)}: ${operator} needs exactly one value, got ${showList(values)}`);
      for (const v of values) {
        if (parseInt64(v) === undefined) errs.push(`${show(key)}: ${operator} value ${JSON.stringify(v)} is not an integer`);
      }
      break;
  }
  for (const v of values) {
    if (isValidLabelValue(v).length > 0) {
      errs.push(`${show(key)}: ${JSON.stringify(v)} is not a valid label value (at most 63 characters: letters, digits, '-', '_', '.'; alphanumeric at both ends)`);
    }
  }
  return errs;
}

/**
 * Why `value` (the node's label, `undefined` when the node lacks it) does not satisfy `req`, for a requirement that
 * passed {@link requirementErrors}. Only called for requirements that failed to match. `list` is `showList(values)`,
 * which callers describing many nodes compute once.
 */
export function describeMismatch({ key, operator, values = [] }: Requirement, value: string | undefined, list = showList(values)): string {
  if (value === undefined) {
    // Only In, Exists, Gt and Lt need the label.
    const wanted = operator === 'Exists' ? operator : `${operator} ${operator === 'In' ? list : (values[0] ?? '')}`;
    return `${key}: label missing (${wanted})`;
  }
  switch (operator) {
    case 'In':
      return `${key}: ${show(value)} not in ${list}`;
    case 'NotIn':
      return `${key}: ${show(value)} is in ${list} (NotIn)`;
    case 'DoesNotExist':
      return `has label ${key} (DoesNotExist)`;
    default: {
      const bound = values[0] ?? '';
      if (parseInt64(value) === undefined) return `${key}: ${JSON.stringify(value)} is not an integer (${operator} ${bound})`;
      return `${key}: ${value} is not ${operator === 'Gt' ? 'greater' : 'less'} than ${bound}`;
    }
  }
}
