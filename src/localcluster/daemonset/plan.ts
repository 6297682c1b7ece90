/**
 * One sync of one DaemonSet as the DaemonSet controller decides it, as a pure function of the DaemonSet, the nodes
 * and its pods: which nodes need a pod, which pods go (on nodes that no longer want one, duplicates, failed pods,
 * pods of gone nodes, and old-template pods the rolling update may replace now), and the status to report.
 */
import type { V1DaemonSet, V1DaemonSetStatus, V1Node, V1Pod } from '@kubernetes/client-node';
import type { Plain } from '../../kube/models.js';
import { daemonPlacement, eligibility, type Eligibility } from './eligibility.js';
import { templateHash } from './hash.js';
import { REVISION_HASH_LABEL, targetNodeName, templateGeneration, TEMPLATE_GENERATION_LABEL } from './pods.js';

export type DeleteReason = 'misscheduled' | 'duplicate' | 'failed' | 'orphaned' | 'update';

export interface DaemonSetPlan {
  hash: string;
  /** Nodes that need a new daemon pod. */
  create: string[];
  delete: { pod: V1Pod; node: string; reason: DeleteReason }[];
  status: Plain<V1DaemonSetStatus>;
  /** Sync again after this long: a ready pod becomes available once `minReadySeconds` have passed. */
  requeueAfterMs?: number;
}

export interface PlanInput {
  ds: V1DaemonSet;
  nodes: readonly V1Node[];
  /** Pods the DaemonSet controls (owner reference with `controller: true` and its uid). */
  pods: readonly V1Pod[];
  now: number;
}

function time(value: Date | string | undefined): number {
  if (value === undefined) return 0;
  return value instanceof Date ? value.getTime() : Date.parse(value);
}

const isTerminal = (pod: V1Pod): boolean => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
const isDeleting = (pod: V1Pod): boolean => Boolean(pod.metadata?.deletionTimestamp);

/** `podByCreationTimestampAndPhase`: bound pods first, then the oldest, then by name. */
function byAge(a: V1Pod, b: V1Pod): number {
  const bound = Number(Boolean(b.spec?.nodeName)) - Number(Boolean(a.spec?.nodeName));
  if (bound !== 0) return bound;
  const age = time(a.metadata?.creationTimestamp) - time(b.metadata?.creationTimestamp);
  if (age !== 0) return age;
  return (a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1;
}

function readySince(pod: V1Pod): number | undefined {
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
  return ready?.status === 'True' ? time(ready.lastTransitionTime) : undefined;
}

/** `IsPodAvailable`: ready for at least `minReadySeconds`. */
function isAvailable(pod: V1Pod, minReadySeconds: number, now: number): boolean {
  const since = readySince(pod);
  return since !== undefined && (minReadySeconds === 0 || since + minReadySeconds * 1000 <= now);
}

function isUpdated(pod: V1Pod, hash: string, generation: string): boolean {
  const labels = pod.metadata?.labels ?? {};
  return labels[REVISION_HASH_LABEL] === hash || labels[TEMPLATE_GENERATION_LABEL] === generation;
}

/** `maxUnavailable` of a RollingUpdate strategy, a count or a percentage of the desired pods (rounded up); at least 1. */
function maxUnavailable(ds: V1DaemonSet, desired: number): number {
  const value: unknown = ds.spec?.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1;
  if (typeof value === 'number') return Math.max(value, 1);
  const percent = /^(\d+)%$/.exec(String(value));
  return percent ? Math.max(Math.ceil((desired * Number(percent[1])) / 100), 1) : 1;
}

type Verdicts = ReadonlyMap<string, Eligibility>;
type PodsByNode = ReadonlyMap<string, V1Pod[]>;

/** `manage`: a pod for each node that should run one and has none; away with the pods that should not be there. */
function manage(verdicts: Verdicts, byNode: PodsByNode): Pick<DaemonSetPlan, 'create' | 'delete'> {
  const create: string[] = [];
  const remove: DaemonSetPlan['delete'] = [];
  for (const [node, { shouldRun, shouldContinueRunning }] of verdicts) {
    const daemonPods = byNode.get(node) ?? [];
    const alive = daemonPods.filter((p) => !isDeleting(p));
    // A pod still terminating counts as present: the new one waits until it is gone.
    if (shouldRun && daemonPods.length === 0) {
      create.push(node);
    } else if (shouldContinueRunning) {
      for (const pod of alive) if (pod.status?.phase === 'Failed') remove.push({ pod, node, reason: 'failed' });
      const running = alive.filter((p) => p.status?.phase !== 'Failed').sort(byAge);
      for (const pod of running.slice(1)) remove.push({ pod, node, reason: 'duplicate' });
    } else {
      for (const pod of alive) remove.push({ pod, node, reason: 'misscheduled' });
    }
  }
  for (const [node, daemonPods] of byNode) {
    if (verdicts.has(node)) continue;
    for (const pod of daemonPods) if (!isDeleting(pod)) remove.push({ pod, node, reason: 'orphaned' });
  }
  return { create, delete: remove };
}

/** `updateDaemonSetStatus`: counts over the nodes, each judged by its oldest daemon pod. */
function daemonSetStatus(ds: V1DaemonSet, verdicts: Verdicts, byNode: PodsByNode, hash: string, now: number): { status: Plain<V1DaemonSetStatus>; pendingAvailability: boolean } {
  const generation = templateGeneration(ds);
  const minReadySeconds = ds.spec?.minReadySeconds ?? 0;
  const counts = { desired: 0, current: 0, misscheduled: 0, ready: 0, available: 0, updated: 0 };
  let pendingAvailability = false;
  for (const [node, { shouldRun }] of verdicts) {
    const daemonPods = byNode.get(node) ?? [];
    if (!shouldRun) {
      if (daemonPods.length > 0) counts.misscheduled += 1;
      continue;
    }
    counts.desired += 1;
    const [oldest] = [...daemonPods].sort(byAge);
    if (oldest === undefined) continue;
    counts.current += 1;
    if (readySince(oldest) !== undefined) {
      counts.ready += 1;
      if (isAvailable(oldest, minReadySeconds, now)) counts.available += 1;
      else pendingAvailability = true;
    }
    if (isUpdated(oldest, hash, generation)) counts.updated += 1;
  }
  const status: Plain<V1DaemonSetStatus> = {
    currentNumberScheduled: counts.current,
    desiredNumberScheduled: counts.desired,
    numberMisscheduled: counts.misscheduled,
    numberReady: counts.ready,
    numberAvailable: counts.available,
    numberUnavailable: counts.desired - counts.available,
    updatedNumberScheduled: counts.updated,
    ...(ds.metadata?.generation === undefined ? {} : { observedGeneration: ds.metadata.generation }),
  };
  return { status, pendingAvailability };
}

export function planDaemonSet({ ds, nodes, pods, now }: PlanInput): DaemonSetPlan {
  const hash = templateHash(ds.spec?.template);
  const byNode = new Map<string, V1Pod[]>();
  for (const pod of pods) {
    const node = targetNodeName(pod);
    if (node === undefined || (isTerminal(pod) && isDeleting(pod))) continue;
    byNode.set(node, [...(byNode.get(node) ?? []), pod]);
  }
  const placement = daemonPlacement(ds);
  const verdicts = new Map<string, Eligibility>(nodes.map((n) => [n.metadata?.name ?? '', eligibility(placement, n)]));
  const managed = manage(verdicts, byNode);
  const { status, pendingAvailability } = daemonSetStatus(ds, verdicts, byNode, hash, now);
  // The rolling update only acts once every node has exactly what it should (the controller's expectations).
  const settled = managed.create.length === 0 && managed.delete.length === 0;
  const updates = settled && ds.spec?.updateStrategy?.type !== 'OnDelete' ? rollingUpdate(ds, byNode, hash, status.desiredNumberScheduled, now) : [];
  const minReadySeconds = ds.spec?.minReadySeconds ?? 0;
  return {
    hash,
    create: managed.create.sort(),
    delete: [...managed.delete, ...updates],
    status,
    ...(pendingAvailability && minReadySeconds > 0 ? { requeueAfterMs: minReadySeconds * 1000 } : {}),
  };
}

/** RollingUpdate without surge: replace unavailable old pods at once, and available ones while fewer than maxUnavailable pods are unavailable. */
function rollingUpdate(ds: V1DaemonSet, byNode: PodsByNode, hash: string, desired: number, now: number): DaemonSetPlan['delete'] {
  const generation = templateGeneration(ds);
  const limit = maxUnavailable(ds, desired);
  const minReadySeconds = ds.spec?.minReadySeconds ?? 0;
  let unavailable = 0;
  const replace: DaemonSetPlan['delete'] = [];
  const candidates: DaemonSetPlan['delete'] = [];
  for (const node of [...byNode.keys()].sort()) {
    const alive = (byNode.get(node) ?? []).filter((p) => !isDeleting(p));
    const fresh = alive.filter((p) => isUpdated(p, hash, generation));
    const old = alive.filter((p) => !isUpdated(p, hash, generation));
    const [oldPod] = old;
    if (fresh.length > 1 || old.length > 1 || fresh.length === old.length) {
      unavailable += 1;
    } else if (fresh[0] !== undefined) {
      if (!isAvailable(fresh[0], minReadySeconds, now)) unavailable += 1;
    } else if (oldPod !== undefined) {
      if (!isAvailable(oldPod, minReadySeconds, now)) replace.push({ pod: oldPod, node, reason: 'update' });
      else if (unavailable < limit) candidates.push({ pod: oldPod, node, reason: 'update' });
    }
  }
  const room = Math.min(Math.max(limit - unavailable, 0), candidates.length);
  return [...replace, ...candidates.slice(0, room)];
}
