/**
 * kube-scheduler's `FitError` message: `0/N nodes are available: <PreFilter message>.` or `0/N nodes are available:
 * <count> <reason>, ….` (one count per distinct reason over all rejected nodes, the "count reason" strings sorted
 * as strings), followed by the PostFilter (preemption) verdict in the same form.
 */
import type { Rejection } from './framework.js';
import { compareText } from '../../util/compare.js';

export interface FitError {
  numAllNodes: number;
  /** Set when a PreFilter plugin rejected the pod outright; then no per-node reasons are listed. */
  preFilterMessage?: string;
  /** The rejection of each node that was looked at. */
  rejections: ReadonlyMap<string, Rejection>;
  /** Nodes a PreFilter plugin excluded (e.g. not named by the pod's node affinity) and why. */
  absent?: { count: number; rejection: Rejection };
  /** `preemption: …`, from {@link preemptionMessage}. */
  postFilterMessage?: string;
}

/** `2 Insufficient cpu, 3 node(s) didn't match Pod's node affinity/selector` — Go's `sort.Strings` order. */
export function reasonHistogram(rejections: Iterable<Rejection>, absent?: { count: number; rejection: Rejection }): string {
  const counts = new Map<string, number>();
  for (const r of rejections) for (const reason of r.reasons) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  if (absent !== undefined && absent.count > 0) {
    for (const reason of absent.rejection.reasons) counts.set(reason, (counts.get(reason) ?? 0) + absent.count);
  }
  return [...counts].map(([reason, n]) => `${n} ${reason}`).sort(compareText).join(', ');
}

export function formatFitError(e: FitError): string {
  let msg = `0/${e.numAllNodes} nodes are available:`;
  if (e.preFilterMessage !== undefined) {
    msg += ` ${e.preFilterMessage}.`;
  } else {
    const histogram = reasonHistogram(e.rejections.values(), e.absent);
    if (histogram !== '') msg += ` ${histogram}.`;
  }
  if (e.postFilterMessage !== undefined) msg += ` ${e.postFilterMessage}`;
  return msg;
}

export const NOT_HELPFUL = 'Preemption is not helpful for scheduling';
export const NO_VICTIMS = 'No preemption victims found for incoming pod';
/** The local scheduler never evicts pods; a node where evicting lower-priority pods would make room says so. */
export const NO_PREEMPTION = 'Preemption is not supported by the local scheduler';

/**
 * DefaultPreemption's verdict per node, as the message after `preemption:` shows it. `retry(node)` re-runs the filters
 * with the node's lower-priority pods removed: `undefined` when the node has none, `'fits'` when the pod would fit.
 */
export function preemptionMessage(
  numAllNodes: number,
  rejections: ReadonlyMap<string, Rejection>,
  retry: (node: string) => Rejection | 'fits' | undefined,
  absent?: { count: number; rejection: Rejection },
): string {
  const verdicts: Rejection[] = [];
  for (const [node, r] of rejections) {
    if (r.code === 'UnschedulableAndUnresolvable') {
      verdicts.push({ plugin: 'DefaultPreemption', code: r.code, reasons: [NOT_HELPFUL] });
      continue;
    }
    const outcome = retry(node);
    if (outcome === undefined) verdicts.push({ plugin: 'DefaultPreemption', code: 'UnschedulableAndUnresolvable', reasons: [NO_VICTIMS] });
    else if (outcome === 'fits') verdicts.push({ plugin: 'DefaultPreemption', code: 'Unschedulable', reasons: [NO_PREEMPTION] });
    else verdicts.push(outcome);
  }
  const notHelpful = absent === undefined ? undefined : { count: absent.count, rejection: { ...absent.rejection, reasons: [NOT_HELPFUL] } };
  return `preemption: 0/${numAllNodes} nodes are available: ${reasonHistogram(verdicts, notHelpful)}.`;
}
