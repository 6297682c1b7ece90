/** Builders for the affinity tests: Kubernetes objects as plain data, with only the fields a test cares about. */
import type { LoadAffinity } from '../config/types.js';
import type { Affinity, LabelSelector, Node, NodeSelectorRequirement, NodeSelectorTerm, Taint } from '../kube/models.js';

export function loadAffinity(nodeSelector: LabelSelector, storageClass?: string): LoadAffinity {
  return storageClass === undefined ? { nodeSelector } : { nodeSelector, storageClass };
}

export function req(key: string, operator: string, values?: string[]): NodeSelectorRequirement {
  return values === undefined ? { key, operator } : { key, operator, values };
}

export function required(...nodeSelectorTerms: NodeSelectorTerm[]): Affinity {
  return { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms } } };
}

export const OS_REQUIREMENT = req('kubernetes.io/os', 'NotIn', ['windows']);

export interface NodeSpec {
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  /** The Ready condition's status; `null` leaves the condition out. Default "True". */
  ready?: string | null;
}

export function node(name: string, { labels = {}, taints, unschedulable, ready = 'True' }: NodeSpec = {}): Node {
  const built: Node = {
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', ...labels } },
    spec: {},
    status: { conditions: ready === null ? [] : [{ type: 'Ready', status: ready }] },
  };
  if (taints !== undefined) built.spec = { ...built.spec, taints };
  if (unschedulable !== undefined) built.spec = { ...built.spec, unschedulable };
  return built;
}
