/**
 * The cluster as one scheduling cycle sees it (kube-scheduler's `NodeInfo` snapshot): every node with the pods
 * assigned to it and the sum of their requests. Terminal pods (Succeeded, Failed) hold nothing; pods being deleted
 * still do until they are gone; pods the scheduler has decided on but whose binding the informer has not shown yet
 * ("assumed" pods) count on their chosen node.
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { nodeAllocatable, nonZeroRequests, podRequests, type ResourceAmounts } from './resources.js';

export interface NodeInfo {
  node: V1Node;
  name: string;
  pods: V1Pod[];
  allocatable: ResourceAmounts;
  requested: ResourceAmounts;
  /** CPU (millicores) and memory with the scoring defaults for containers that request nothing. */
  nonZeroRequested: { cpu: number; memory: number };
}

export interface Snapshot {
  /** Sorted by name, so every cycle considers nodes in the same order. */
  nodes: NodeInfo[];
  byName: Map<string, NodeInfo>;
}

export function isTerminal(pod: V1Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

export function newNodeInfo(node: V1Node): NodeInfo {
  return {
    node,
    name: node.metadata?.name ?? '',
    pods: [],
    allocatable: nodeAllocatable(node),
    requested: new Map(),
    nonZeroRequested: { cpu: 0, memory: 0 },
  };
}

export function addPodToNodeInfo(info: NodeInfo, pod: V1Pod): void {
  info.pods.push(pod);
  for (const [name, v] of podRequests(pod)) info.requested.set(name, (info.requested.get(name) ?? 0) + v);
  const nz = nonZeroRequests(pod);
  info.nonZeroRequested.cpu += nz.cpu;
  info.nonZeroRequested.memory += nz.memory;
}

export function podKey(pod: V1Pod): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}

/** Builds the snapshot. `assumed` maps pods (by {@link podKey}) to the node chosen for them before the binding shows. */
export function buildSnapshot(nodes: readonly V1Node[], pods: readonly V1Pod[], assumed: ReadonlyMap<string, string>): Snapshot {
  const infos = nodes.map(newNodeInfo).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const byName = new Map(infos.map((i) => [i.name, i]));
  for (const pod of pods) {
    const nodeName = pod.spec?.nodeName || assumed.get(podKey(pod));
    if (nodeName === undefined || nodeName === '' || isTerminal(pod)) continue;
    const info = byName.get(nodeName);
    if (info !== undefined) addPodToNodeInfo(info, pod);
  }
  return { nodes: infos, byName };
}
