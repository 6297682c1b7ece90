/**
 * The node filters of kube-scheduler's default profile that read only the pod and the node, in the profile's order
 * (NodeUnschedulable, TaintToleration, NodeAffinity, NodeResourcesFit), with their exact reasons. Label, cordon and
 * taint matching is the affinity module's matcher; this file only maps its verdict onto the plugins.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { untoleratedTaints } from '../../affinity/index.js';
import { reject, type Cycle, type Rejection } from './framework.js';
import { CPU, MEMORY, PODS } from './resources.js';
import type { NodeInfo } from './snapshot.js';

export const REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
export const REASON_AFFINITY = "node(s) didn't match Pod's node affinity/selector";
export const REASON_TOO_MANY_PODS = 'Too many pods';
const NAME_FIELD = 'metadata.name';

export function taintReason(key: string, value: string | undefined): string {
  return `node(s) had untolerated taint {${key}: ${value ?? ''}}`;
}

export function insufficientReason(resource: string): string {
  return `Insufficient ${resource}`;
}

/** NodeUnschedulable, TaintToleration and NodeAffinity, in that order: the first that rejects the node decides. */
export function filterPlacement(cycle: Cycle, info: NodeInfo): Rejection | undefined {
  const kinds = new Set(cycle.placement.evaluate(info.node).reasons.map((r) => r.kind));
  if (kinds.has('unschedulable')) return reject('NodeUnschedulable', 'UnschedulableAndUnresolvable', REASON_UNSCHEDULABLE);
  if (kinds.has('taint')) {
    const [taint] = untoleratedTaints(info.node.spec?.taints, cycle.tolerations);
    if (taint !== undefined) return reject('TaintToleration', 'UnschedulableAndUnresolvable', taintReason(taint.key, taint.value));
  }
  if (kinds.has('nodeSelector') || kinds.has('nodeAffinity')) return reject('NodeAffinity', 'UnschedulableAndUnresolvable', REASON_AFFINITY);
  return undefined;
}

/**
 * NodeAffinity's PreFilter: when every required term names nodes (`matchFields metadata.name In`, as DaemonSet pods
 * carry), only those nodes are looked at; the others are reported as not satisfying the plugin. `undefined`: all.
 */
export function affinityNodeNames(pod: V1Pod): Set<string> | undefined {
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  if (terms.length === 0) return undefined;
  const names = new Set<string>();
  for (const term of terms) {
    let termNames: Set<string> | undefined;
    for (const f of term.matchFields ?? []) {
      if (f.key !== NAME_FIELD || f.operator !== 'In') continue;
      const values = new Set(f.values ?? []);
      termNames = termNames === undefined ? values : new Set([...termNames].filter((n) => values.has(n)));
    }
    // A term that names no node allows every node, and the terms are ORed.
    if (termNames === undefined) return undefined;
    for (const n of termNames) names.add(n);
  }
  return names;
}

/**
 * NodeResourcesFit: room for one more pod, then each requested resource against allocatable minus what the node's
 * pods request. Every shortage is a reason of its own (`Insufficient cpu`, `Insufficient memory`).
 */
export function filterResources(cycle: Cycle, info: NodeInfo): Rejection | undefined {
  const reasons: string[] = [];
  const allowedPods = info.allocatable.get(PODS) ?? 0;
  if (info.pods.length + 1 > allowedPods) reasons.push(REASON_TOO_MANY_PODS);
  const names = [...cycle.requests.keys()].filter((n) => n !== PODS && (cycle.requests.get(n) ?? 0) > 0);
  // The scheduler checks cpu, memory and ephemeral storage first, then extended resources.
  const ordered = [CPU, MEMORY, 'ephemeral-storage'].filter((n) => names.includes(n)).concat(names.filter((n) => ![CPU, MEMORY, 'ephemeral-storage'].includes(n)).sort());
  for (const name of ordered) {
    const want = cycle.requests.get(name) ?? 0;
    const free = (info.allocatable.get(name) ?? 0) - (info.requested.get(name) ?? 0);
    if (want > free) reasons.push(insufficientReason(name));
  }
  return reasons.length > 0 ? reject('NodeResourcesFit', 'Unschedulable', ...reasons) : undefined;
}
