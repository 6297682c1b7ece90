/**
 * Ranking of the nodes that passed every filter, with the default profile's score plugins and weights:
 * TaintToleration ×3 (fewer untolerated PreferNoSchedule taints), NodeAffinity ×2 (preferred terms' weights),
 * PodTopologySpread ×2 (`ScheduleAnyway` constraints), NodeResourcesFit ×1 (least allocated CPU and memory).
 * Each plugin's scores are normalized to 0–100. kube-scheduler breaks ties at random; here ties go to the node with
 * the fewest pods, then the first name, so placement is reproducible and still spreads.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { matchNodeSelectorTerms, toleratesTaint } from '../../affinity/index.js';
import type { Cycle } from './framework.js';
import { CPU, MEMORY, nonZeroRequests } from './resources.js';
import type { NodeInfo } from './snapshot.js';
import { scoreSpread } from './spread.js';

const MAX_SCORE = 100;

/** Scales raw scores to 0–100 (`helper.DefaultNormalizeScore`); `reverse` makes the lowest raw score the best. */
function normalize(raw: readonly number[], reverse: boolean): number[] {
  const max = Math.max(0, ...raw);
  if (max === 0) return raw.map(() => (reverse ? MAX_SCORE : 0));
  return raw.map((s) => {
    const scaled = Math.trunc((MAX_SCORE * s) / max);
    return reverse ? MAX_SCORE - scaled : scaled;
  });
}

function preferNoScheduleCount(pod: V1Pod, info: NodeInfo): number {
  const tolerations = (pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
  return (info.node.spec?.taints ?? []).filter((taint) => taint.effect === 'PreferNoSchedule' && !tolerations.some((t) => toleratesTaint(t, taint))).length;
}

function preferredAffinity(pod: V1Pod, info: NodeInfo): number {
  const terms = pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
  let sum = 0;
  for (const { weight, preference } of terms) {
    const empty = (preference.matchExpressions ?? []).length === 0 && (preference.matchFields ?? []).length === 0;
    if (weight !== 0 && !empty && matchNodeSelectorTerms([preference], info.node)) sum += weight;
  }
  return sum;
}

/** NodeResourcesFit's LeastAllocated strategy over CPU and memory, counting the pod being placed. */
function leastAllocated(pod: V1Pod, info: NodeInfo): number {
  const incoming = nonZeroRequests(pod);
  const parts = [
    [info.allocatable.get(CPU) ?? 0, info.nonZeroRequested.cpu + incoming.cpu],
    [info.allocatable.get(MEMORY) ?? 0, info.nonZeroRequested.memory + incoming.memory],
  ] as const;
  const scores = parts.map(([capacity, requested]) => (capacity === 0 || requested > capacity ? 0 : Math.trunc(((capacity - requested) * MAX_SCORE) / capacity)));
  return Math.trunc(scores.reduce((a, b) => a + b, 0) / scores.length);
}

/** Total weighted score per node, in the order given. */
export function scoreNodes(cycle: Cycle, feasible: readonly NodeInfo[]): number[] {
  const { pod } = cycle;
  const taints = normalize(feasible.map((i) => preferNoScheduleCount(pod, i)), true);
  const affinity = normalize(feasible.map((i) => preferredAffinity(pod, i)), false);
  const spread = scoreSpread(cycle.spread, feasible.map((i) => i.node));
  const resources = feasible.map((i) => leastAllocated(pod, i));
  return feasible.map((_, i) => 3 * (taints[i] ?? 0) + 2 * (affinity[i] ?? 0) + 2 * (spread[i] ?? 0) + (resources[i] ?? 0));
}

/** The best node: highest score, then fewest pods, then first by name. */
export function selectHost(feasible: readonly NodeInfo[], scores: readonly number[]): NodeInfo | undefined {
  let best: { info: NodeInfo; score: number } | undefined;
  for (const [i, info] of feasible.entries()) {
    const score = scores[i] ?? 0;
    const better =
      best === undefined ||
      score > best.score ||
      (score === best.score && (info.pods.length < best.info.pods.length || (info.pods.length === best.info.pods.length && info.name < best.info.name)));
    if (better) best = { info, score };
  }
  return best?.info;
}
