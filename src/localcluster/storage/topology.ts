/**
 * Where a new volume may be used, written into its PV's node affinity: on the one node chosen (`hostname`, the
 * default), in that node's zone (`zone`), or anywhere (`none`). An Immediate claim gets the next Ready node in a
 * round robin; a WaitForFirstConsumer claim the node the scheduler selected.
 */
import type { V1Node } from '@kubernetes/client-node';

export type Topology = 'hostname' | 'zone' | 'none';

export const HOSTNAME_LABEL = 'kubernetes.io/hostname';
export const ZONE_LABEL = 'topology.kubernetes.io/zone';

export interface NodeAffinityJson {
  required: { nodeSelectorTerms: { matchExpressions: { key: string; operator: 'In'; values: string[] }[] }[] };
}

function requireLabel(key: string, value: string): NodeAffinityJson {
  return { required: { nodeSelectorTerms: [{ matchExpressions: [{ key, operator: 'In', values: [value] }] }] } };
}

/** The PV node affinity for a volume placed on `node`; a node without a zone label pins the volume to the node. */
export function volumeNodeAffinity(topology: Topology, node: V1Node): NodeAffinityJson | undefined {
  if (topology === 'none') return undefined;
  const labels = node.metadata?.labels ?? {};
  const zone = labels[ZONE_LABEL];
  if (topology === 'zone' && zone !== undefined) return requireLabel(ZONE_LABEL, zone);
  return requireLabel(HOSTNAME_LABEL, labels[HOSTNAME_LABEL] ?? node.metadata?.name ?? '');
}

export function isReady(node: V1Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

/** Spreads Immediate volumes over the Ready nodes, in name order. */
export class RoundRobin {
  #next = 0;

  pick(nodes: readonly V1Node[]): V1Node | undefined {
    const ready = nodes.filter(isReady).sort((a, b) => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1));
    const node = ready[this.#next % Math.max(ready.length, 1)];
    if (node !== undefined) this.#next++;
    return node;
  }
}
