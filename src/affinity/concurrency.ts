import type { LoadConcurrency } from '../config/types.js';
import { formatLabelSelector, parseLabelSelector } from './label-selector.js';
import type { Node } from '../kube/models.js';

export interface NodeConcurrency {
  /** How many data paths may run on the node at once. */
  number: number;
  /** The facts Velero logs on the way to the number, joined by "; ". */
  reason: string;
}

/**
 * Velero's `getDataPathConcurrentNum`: the global number (the default when absent or ≤ 0), unless perNodeConfig rules
 * match the node's labels, in which case the smallest matching number wins. Rules whose selector does not parse or whose
 * number is ≤ 0 are skipped. `node` is `undefined` when it could not be read, which falls back to the global number.
 */
export function loadConcurrencyForNode(lc: LoadConcurrency | undefined, node: Node | undefined, defaultNumber: number): NodeConcurrency {
  if (lc === undefined) {
    return { number: defaultNumber, reason: `Concurrency configs are not found, use the default number ${defaultNumber}` };
  }
  const facts: string[] = [];
  let global = lc.globalConfig ?? 0;
  if (global <= 0) {
    facts.push(
      lc.globalConfig === undefined
        ? `Global number is not set, use the default value ${defaultNumber}`
        : `Global number ${global} is invalid, use the default value ${defaultNumber}`,
    );
    global = defaultNumber;
  }
  const done = (number: number, fact: string): NodeConcurrency => ({ number, reason: [...facts, fact].join('; ') });
  const rules = lc.perNodeConfig ?? [];
  if (rules.length === 0) return done(global, `No per node rules, use the global number ${global}`);
  if (node === undefined) return done(global, `Failed to get node info, use the global number ${global}`);

  const nodeName = node.metadata?.name ?? '';
  const labels = node.metadata?.labels ?? {};
  let smallest: number | undefined;
  for (const rule of rules) {
    const selector = formatLabelSelector(rule.nodeSelector);
    const parsed = parseLabelSelector(rule.nodeSelector);
    if (!parsed.ok) {
      facts.push(`Failed to parse rule with label selector ${selector}, skip it: ${parsed.errors.join('; ')}`);
    } else if (rule.number <= 0) {
      facts.push(`Rule with label selector ${selector} is with an invalid number ${rule.number}, skip it`);
    } else if (parsed.matches(labels) && (smallest === undefined || rule.number < smallest)) {
      smallest = rule.number;
    }
  }
  if (smallest === undefined) return done(global, `Per node number for node ${nodeName} is not found, use the global number ${global}`);
  return done(smallest, `Use the per node number ${smallest} over global number ${global} for node ${nodeName}`);
}
