/**
 * PodTopologySpread: pods matching a constraint's selector are counted per topology domain (the value of
 * `topologyKey`) over the nodes the constraint includes. `DoNotSchedule` constraints filter: placing the pod must not
 * push its domain more than `maxSkew` above the least-loaded domain. `ScheduleAnyway` constraints score: emptier
 * domains score higher.
 */
import type { V1Node, V1Pod, V1TopologySpreadConstraint } from '@kubernetes/client-node';
import { compilePlacement, parseLabelSelector, untoleratedTaints } from '../../affinity/index.js';
import type { Labels } from '../../kube/labels.js';
import { reject, type Rejection } from './framework.js';
import type { NodeInfo } from './snapshot.js';

export const REASON_SPREAD = "node(s) didn't match pod topology spread constraints";
export const REASON_SPREAD_LABEL = `${REASON_SPREAD} (missing required label)`;
const PLUGIN = 'PodTopologySpread';

interface Constraint {
  maxSkew: number;
  topologyKey: string;
  minDomains: number;
  matches: (labels: Labels) => boolean;
  /** Counts only on nodes the pod's nodeSelector / required affinity allow (`nodeAffinityPolicy: Honor`, the default). */
  honorAffinity: boolean;
  /** Counts only on nodes whose taints the pod tolerates (`nodeTaintsPolicy: Honor`; default Ignore). */
  honorTaints: boolean;
}

interface Counted {
  constraint: Constraint;
  /** Matching pods per domain value, over the included nodes (domains without pods count 0). */
  counts: Map<string, number>;
}

export interface SpreadState {
  hard: Counted[];
  soft: Counted[];
  selfLabels: Labels;
}

function compileConstraint(pod: V1Pod, c: V1TopologySpreadConstraint): Constraint {
  const podLabels = pod.metadata?.labels ?? {};
  // matchLabelKeys add the pod's own values for those keys to the selector.
  const extra = (c.matchLabelKeys ?? []).filter((k) => podLabels[k] !== undefined).map((key) => ({ key, operator: 'In', values: [podLabels[key] ?? ''] }));
  const selector = c.labelSelector ? { matchLabels: c.labelSelector.matchLabels ?? {}, matchExpressions: [...(c.labelSelector.matchExpressions ?? []), ...extra] } : undefined;
  const parsed = selector === undefined ? undefined : parseLabelSelector(selector);
  return {
    maxSkew: c.maxSkew,
    topologyKey: c.topologyKey,
    minDomains: c.minDomains ?? 1,
    // A missing or invalid selector matches no pod.
    matches: parsed?.ok ? parsed.matches : () => false,
    honorAffinity: c.nodeAffinityPolicy !== 'Ignore',
    honorTaints: c.nodeTaintsPolicy === 'Honor',
  };
}

function countMatching(pods: readonly V1Pod[], namespace: string, c: Constraint): number {
  return pods.filter((p) => (p.metadata?.namespace ?? '') === namespace && !p.metadata?.deletionTimestamp && c.matches(p.metadata?.labels ?? {})).length;
}

function count(pod: V1Pod, constraints: Constraint[], nodes: readonly NodeInfo[]): Counted[] {
  const affinity = compilePlacement({ ...(pod.spec?.nodeSelector ? { nodeSelector: pod.spec.nodeSelector } : {}), ...(pod.spec?.affinity ? { affinity: pod.spec.affinity } : {}) });
  const namespace = pod.metadata?.namespace ?? '';
  const keys = constraints.map((c) => c.topologyKey);
  return constraints.map((constraint) => {
    const counts = new Map<string, number>();
    for (const info of nodes) {
      const labels = info.node.metadata?.labels ?? {};
      // Only nodes carrying every constraint's key take part.
      if (!keys.every((k) => labels[k] !== undefined)) continue;
      if (constraint.honorAffinity && affinity.evaluate(info.node).reasons.some((r) => r.kind === 'nodeSelector' || r.kind === 'nodeAffinity')) continue;
      if (constraint.honorTaints && untoleratedTaints(info.node.spec?.taints, pod.spec?.tolerations).length > 0) continue;
      const value = labels[constraint.topologyKey] ?? '';
      counts.set(value, (counts.get(value) ?? 0) + countMatching(info.pods, namespace, constraint));
    }
    return { constraint, counts };
  });
}

/** PreFilter and PreScore: counts the matching pods per domain for each of the pod's constraints. */
export function spreadState(pod: V1Pod, nodes: readonly NodeInfo[]): SpreadState {
  const all = pod.spec?.topologySpreadConstraints ?? [];
  const hard = all.filter((c) => c.whenUnsatisfiable === 'DoNotSchedule').map((c) => compileConstraint(pod, c));
  const soft = all.filter((c) => c.whenUnsatisfiable === 'ScheduleAnyway').map((c) => compileConstraint(pod, c));
  return { hard: count(pod, hard, nodes), soft: count(pod, soft, nodes), selfLabels: pod.metadata?.labels ?? {} };
}

function minCount({ constraint, counts }: Counted): number {
  // With fewer domains than minDomains, the missing domains count as empty.
  if (counts.size < constraint.minDomains) return 0;
  return Math.min(...counts.values());
}

export function filterSpread(state: SpreadState, node: V1Node): Rejection | undefined {
  const labels = node.metadata?.labels ?? {};
  for (const counted of state.hard) {
    const { constraint, counts } = counted;
    const value = labels[constraint.topologyKey];
    if (value === undefined) return reject(PLUGIN, 'UnschedulableAndUnresolvable', REASON_SPREAD_LABEL);
    const self = constraint.matches(state.selfLabels) ? 1 : 0;
    if ((counts.get(value) ?? 0) + self - minCount(counted) > constraint.maxSkew) return reject(PLUGIN, 'Unschedulable', REASON_SPREAD);
  }
  return undefined;
}

/**
 * The plugin's score for each feasible node (0–100, higher is better): the weighted matching-pod count of the node's
 * domains, inverted so the emptiest domain scores 100; nodes lacking a key score 0.
 */
export function scoreSpread(state: SpreadState, nodes: readonly V1Node[]): number[] {
  if (state.soft.length === 0) return nodes.map(() => 0);
  const weights = state.soft.map(({ counts }) => Math.log(counts.size + 2));
  const raw = nodes.map((node) => {
    const labels = node.metadata?.labels ?? {};
    let score = 0;
    for (const [i, { constraint, counts }] of state.soft.entries()) {
      const value = labels[constraint.topologyKey];
      if (value === undefined) return undefined;
      score += (counts.get(value) ?? 0) * (weights[i] ?? 1) + (constraint.maxSkew - 1);
    }
    return score;
  });
  const present = raw.filter((s): s is number => s !== undefined);
  const max = Math.max(0, ...present);
  const min = Math.min(...present);
  return raw.map((s) => (s === undefined ? 0 : max === 0 ? 100 : Math.trunc((100 * (max + min - s)) / max)));
}
