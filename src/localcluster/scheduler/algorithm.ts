/**
 * One scheduling decision for one pod over a snapshot, as kube-scheduler's `schedulePod` makes it: PreFilter
 * (volume claims, node-name affinity), Filter on every node in the default profile's order, then Score and pick;
 * when no node fits, the FitError message including the preemption verdict. Pure: no API calls.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { compilePlacement, type PodPlacement } from '../../affinity/index.js';
import { formatFitError, preemptionMessage } from './fit-error.js';
import { affinityNodeNames, filterPlacement, filterResources } from './filters.js';
import { reject, type Cycle, type Rejection } from './framework.js';
import { podRequests } from './resources.js';
import { scoreNodes, selectHost } from './score.js';
import { addPodToNodeInfo, newNodeInfo, type NodeInfo, type Snapshot } from './snapshot.js';
import { filterSpread, spreadState } from './spread.js';
import { filterVolumes, preFilterVolumes, type PodVolumes, type VolumeListers } from './volumes.js';

export type ScheduleResult =
  | { kind: 'scheduled'; node: string; volumes: PodVolumes }
  /** No node fits: `message` is the FitError text for the PodScheduled condition and the event. */
  | { kind: 'unschedulable'; message: string; rejectedBy: Set<string> }
  /** The scheduler could not decide (condition reason `SchedulerError`). */
  | { kind: 'error'; message: string };

export const NO_NODES = 'no nodes available to schedule pods';
export const REASON_NOT_NAMED = "node(s) didn't satisfy plugin(s) [NodeAffinity]";

function placementOf(pod: V1Pod): PodPlacement {
  const { nodeSelector, affinity, tolerations } = pod.spec ?? {};
  return { ...(nodeSelector ? { nodeSelector } : {}), ...(affinity ? { affinity } : {}), ...(tolerations ? { tolerations } : {}) };
}

/** Every filter in the profile's order; the first rejection decides, as in `RunFilterPlugins`. */
function runFilters(cycle: Cycle, info: NodeInfo): Rejection | undefined {
  return filterPlacement(cycle, info) ?? filterResources(cycle, info) ?? filterVolumes(cycle.volumes, info.node) ?? filterSpread(cycle.spread, info.node);
}

function priorityOf(pod: V1Pod): number {
  return pod.spec?.priority ?? 0;
}

/** The node's filters re-run without its lower-priority pods: `undefined` when there are none to remove. */
function withoutVictims(cycle: Cycle, info: NodeInfo): Rejection | 'fits' | undefined {
  const mine = priorityOf(cycle.pod);
  const kept = info.pods.filter((p) => priorityOf(p) >= mine);
  if (kept.length === info.pods.length) return undefined;
  const reduced = newNodeInfo(info.node);
  for (const p of kept) addPodToNodeInfo(reduced, p);
  return runFilters(cycle, reduced) ?? 'fits';
}

function unschedulable(
  cycle: Cycle | undefined,
  pod: V1Pod,
  snapshot: Snapshot,
  { rejections, absent, preFilterMessage }: { rejections: Map<string, Rejection>; absent?: Fit['absent']; preFilterMessage?: string },
): Extract<ScheduleResult, { kind: 'unschedulable' }> {
  const numAllNodes = snapshot.nodes.length;
  const retry = (node: string): Rejection | 'fits' | undefined => {
    const info = snapshot.byName.get(node);
    return cycle === undefined || info === undefined ? undefined : withoutVictims(cycle, info);
  };
  const postFilterMessage =
    pod.spec?.preemptionPolicy === 'Never' ? 'preemption: not eligible due to preemptionPolicy=Never.' : preemptionMessage(numAllNodes, rejections, retry, absent);
  const rejectedBy = new Set([...rejections.values()].map((r) => r.plugin));
  if (absent) rejectedBy.add(absent.rejection.plugin);
  const message = formatFitError({ numAllNodes, rejections, ...(absent ? { absent } : {}), ...(preFilterMessage === undefined ? {} : { preFilterMessage }), postFilterMessage });
  return { kind: 'unschedulable', message, rejectedBy };
}

/** What filtering found: the nodes that fit, and why each other node does not. */
export interface Fit {
  cycle: Cycle;
  feasible: NodeInfo[];
  rejections: Map<string, Rejection>;
  absent?: { count: number; rejection: Rejection };
}

/** PreFilter and Filter (`findNodesThatFitPod`): a {@link Fit}, or the result when the pod cannot be scheduled at all. */
export function findNodesThatFit(pod: V1Pod, snapshot: Snapshot, listers: VolumeListers): Fit | Exclude<ScheduleResult, { kind: 'scheduled' }> {
  if (snapshot.nodes.length === 0) return { kind: 'error', message: NO_NODES };
  const claims = preFilterVolumes(pod, listers);
  if (!claims.ok) {
    if (claims.kind === 'error') return { kind: 'error', message: `running PreFilter plugin "VolumeBinding": ${claims.message}` };
    const everyNode = reject('VolumeBinding', 'UnschedulableAndUnresolvable', claims.message);
    return unschedulable(undefined, pod, snapshot, { rejections: new Map(snapshot.nodes.map((i) => [i.name, everyNode])), preFilterMessage: claims.message });
  }
  const cycle: Cycle = {
    pod,
    placement: compilePlacement(placementOf(pod)),
    tolerations: pod.spec?.tolerations ?? [],
    requests: podRequests(pod),
    volumes: claims.volumes,
    spread: spreadState(pod, snapshot.nodes),
  };
  const named = affinityNodeNames(pod);
  const candidates = named === undefined ? snapshot.nodes : snapshot.nodes.filter((i) => named.has(i.name));
  const absentCount = snapshot.nodes.length - candidates.length;
  const rejections = new Map<string, Rejection>();
  const feasible: NodeInfo[] = [];
  for (const info of candidates) {
    const rejection = runFilters(cycle, info);
    if (rejection === undefined) feasible.push(info);
    else rejections.set(info.name, rejection);
  }
  const fit: Fit = { cycle, feasible, rejections };
  if (absentCount > 0) fit.absent = { count: absentCount, rejection: reject('NodeAffinity', 'UnschedulableAndUnresolvable', REASON_NOT_NAMED) };
  return fit;
}

export function schedulePod(pod: V1Pod, snapshot: Snapshot, listers: VolumeListers): ScheduleResult {
  const fit = findNodesThatFit(pod, snapshot, listers);
  if (!('cycle' in fit)) return fit;
  const chosen = selectHost(fit.feasible, scoreNodes(fit.cycle, fit.feasible));
  if (chosen === undefined) return unschedulable(fit.cycle, pod, snapshot, fit);
  return { kind: 'scheduled', node: chosen.name, volumes: fit.cycle.volumes };
}
