import { LABEL_SELECTOR_OPERATORS, matchesRequirement, type Labels, type Requirement } from '../kube/labels.js';
import { requirementErrors } from './requirements.js';
import type { LabelSelector } from '../kube/models.js';

export type ParsedLabelSelector = { ok: true; matches: (labels: Labels) => boolean } | { ok: false; errors: string[] };

/**
 * apimachinery's `LabelSelectorAsSelector`: matchLabels pairs are equality requirements, expressions take only the
 * LabelSelector operators (no Gt/Lt), and keys, values and value counts are checked as `labels.NewRequirement` does.
 * An empty selector matches every object (unlike an empty node selector term, which matches none).
 */
export function parseLabelSelector(selector: LabelSelector): ParsedLabelSelector {
  const requirements: Requirement[] = [
    ...Object.entries(selector.matchLabels ?? {}).map(([key, value]) => ({ key, operator: 'In', values: [value] })),
    ...(selector.matchExpressions ?? []),
  ];
  const errors = requirements.flatMap((req) =>
    (LABEL_SELECTOR_OPERATORS as readonly string[]).includes(req.operator)
      ? requirementErrors(req)
      : [`${JSON.stringify(req.operator)} is not a valid label selector operator`],
  );
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, matches: (labels) => requirements.every((req) => matchesRequirement(req, labels)) };
}

/** kubectl's selector notation (`k=v,k in (a,b),!k`), for messages. */
export function formatLabelSelector(selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const list = `(${values.join(',')})`;
    if (operator === 'In') parts.push(`${key} in ${list}`);
    else if (operator === 'NotIn') parts.push(`${key} notin ${list}`);
    else if (operator === 'Exists') parts.push(key);
    else if (operator === 'DoesNotExist') parts.push(`!${key}`);
    else parts.push(`${key} ${operator} ${list}`);
  }
  return parts.length === 0 ? '<everything>' : parts.join(',');
}
