import type { Taint, Toleration } from '../kube/models.js';

/** Taint effects that keep new pods off a node; PreferNoSchedule only lowers a node's score. */
const BLOCKING_EFFECTS: ReadonlySet<string> = new Set(['NoSchedule', 'NoExecute']);

/** The taint the scheduler's NodeUnschedulable plugin checks: a pod tolerating it may land on a cordoned node. */
export const UNSCHEDULABLE_TAINT: Readonly<Taint> = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

/**
 * Kubernetes' `Toleration.ToleratesTaint`: an empty effect matches every effect, an empty key matches every key (only
 * valid with Exists), `Exists` ignores the value, `Equal` (or no operator) compares it; any other operator tolerates nothing.
 */
export function toleratesTaint(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  switch (toleration.operator ?? '') {
    case '':
    case 'Equal':
      return (toleration.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

export function toleratesAny(tolerations: readonly Toleration[], taint: Taint): boolean {
  return tolerations.some((t) => toleratesTaint(t, taint));
}

/** The node's NoSchedule and NoExecute taints that none of the tolerations tolerate, in the node's order. */
export function untoleratedTaints(taints: readonly Taint[] | undefined, tolerations: readonly Toleration[] | undefined): Taint[] {
  return (taints ?? []).filter((taint) => BLOCKING_EFFECTS.has(taint.effect) && !toleratesAny(tolerations ?? [], taint));
}

/** kubectl's notation: `key=value:Effect`, or `key:Effect` without a value. */
export function formatTaint({ key, value, effect }: Taint): string {
  return `${key}${value ? `=${value}` : ''}:${effect}`;
}
