import type { Affinity, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm } from '../kube/models.js';
import type { LoadAffinity } from '../config/types.js';

/** Appended to every data-mover pod: Ferry's data movers run on Linux nodes (Velero v1.18.1, #9496). */
export const OS_KEY = 'kubernetes.io/os';

export function linuxOsRequirement(): NodeSelectorRequirement {
  return { key: OS_KEY, operator: 'NotIn', values: ['windows'] };
}

function copyRequirement({ key, operator, values }: NodeSelectorRequirement): NodeSelectorRequirement {
  return values === undefined ? { key, operator } : { key, operator, values: [...values] };
}

/**
 * The node selector requirements of one loadAffinity entry: each matchLabels pair as `In [value]`, keys sorted (Velero
 * iterates a Go map, so its order is random; the requirements are ANDed, so sorting changes no meaning), then the
 * matchExpressions in order with operator and values verbatim (the config validator, not this function, rejects bad ones).
 */
export function entryRequirements(entry: LoadAffinity | undefined): NodeSelectorRequirement[] {
  if (entry === undefined) return [];
  const { matchLabels = {}, matchExpressions = [] } = entry.nodeSelector;
  const fromLabels = Object.keys(matchLabels)
    .sort()
    .map((key): NodeSelectorRequirement => ({ key, operator: 'In', values: [matchLabels[key] ?? ''] }));
  return [...fromLabels, ...matchExpressions.map(copyRequirement)];
}

function copyTerm(term: NodeSelectorTerm, extra: readonly NodeSelectorRequirement[]): NodeSelectorTerm {
  const copy: NodeSelectorTerm = {};
  // An absent matchExpressions stays absent when nothing is added, so an unconstrained topology comes back unchanged.
  if (term.matchExpressions !== undefined || extra.length > 0) {
    copy.matchExpressions = [...(term.matchExpressions ?? []), ...extra].map(copyRequirement);
  }
  if (term.matchFields !== undefined) copy.matchFields = term.matchFields.map(copyRequirement);
  return copy;
}

function requiredAffinity(nodeSelectorTerms: NodeSelectorTerm[]): Affinity {
  return { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms } } };
}

function requiredTerms(requirements: NodeSelectorRequirement[], volumeTopology: NodeSelector | undefined): NodeSelectorTerm[] {
  if (volumeTopology === undefined) return [{ matchExpressions: requirements }];
  return volumeTopology.nodeSelectorTerms.map((term) => copyTerm(term, requirements));
}

/**
 * Velero v1.18.1's `ToSystemAffinity`: the entry's requirements in one required term, or, with a volume topology (a
 * WaitForFirstConsumer source PV's `spec.nodeAffinity.required`), appended to every topology term (topology
 * expressions first, matchFields kept; the terms stay ORed). `undefined` when nothing constrains the pod. Never
 * preferred. No OS requirement: see {@link dataMoverPodAffinity}. Returns fresh objects on every call.
 */
export function toSystemAffinity(entry: LoadAffinity | undefined, volumeTopology?: NodeSelector): Affinity | undefined {
  const requirements = entryRequirements(entry);
  if (volumeTopology === undefined && requirements.length === 0) return undefined;
  return requiredAffinity(requiredTerms(requirements, volumeTopology));
}

export interface PodAffinityOptions {
  volumeTopology?: NodeSelector;
  /** Requirements the exposer adds, such as `kubernetes.io/hostname NotIn [nodes the source volume is attached to]`. */
  extra?: readonly NodeSelectorRequirement[];
}

/**
 * The required node affinity a data-mover pod carries: the entry's requirements, then `extra`, then always
 * `kubernetes.io/os NotIn [windows]`, placed as {@link toSystemAffinity} places them. Never undefined, because the OS
 * requirement is always there.
 */
export function toPodAffinity(entry: LoadAffinity | undefined, { volumeTopology, extra = [] }: PodAffinityOptions = {}): Affinity {
  const requirements = [...entryRequirements(entry), ...extra.map(copyRequirement), linuxOsRequirement()];
  return requiredAffinity(requiredTerms(requirements, volumeTopology));
}

/** What exposers call: the pod affinity for the selected entry (or none) and the source volume's topology, if any. */
export function dataMoverPodAffinity(entry: LoadAffinity | undefined, volumeTopology?: NodeSelector): Affinity {
  return toPodAffinity(entry, volumeTopology === undefined ? {} : { volumeTopology });
}
