/**
 * @module affinity
 * Node selection for data-mover pods. A *loadAffinity entry* (from the node-agent ConfigMap) is picked per storage
 * class ({@link selectLoadAffinity}); it is translated into the pod's *affinity*, a required node affinity that always
 * excludes Windows nodes and is ANDed into every term of the source volume's *topology* ({@link dataMoverPodAffinity});
 * a *placement* (nodeSelector, affinity, tolerations) is evaluated against *nodes* with kube-scheduler semantics into
 * a *verdict*: eligible, or every *reason* not ({@link evaluateNode}); {@link explain} does all of it for a node list.
 * {@link loadConcurrencyForNode} is the per-node data path limit (`loadConcurrency`).
 */
export { selectLoadAffinity, isGlobalEntry, type SelectedLoadAffinity } from './select.js';
export {
  toSystemAffinity,
  toPodAffinity,
  dataMoverPodAffinity,
  entryRequirements,
  linuxOsRequirement,
  OS_KEY,
  type PodAffinityOptions,
} from './translate.js';
export {
  compilePlacement,
  evaluateNode,
  matchNodeSelectorTerms,
  type CompiledPlacement,
  type NodeReason,
  type NodeReasonKind,
  type NodeVerdict,
  type PodPlacement,
} from './match.js';
export { toleratesTaint, untoleratedTaints, formatTaint, UNSCHEDULABLE_TAINT } from './taints.js';
export { parseLabelSelector, formatLabelSelector, type ParsedLabelSelector } from './label-selector.js';
export { loadConcurrencyForNode, type NodeConcurrency } from './concurrency.js';
export { explain, type ExplainInput, type Explanation, type NodeExplanation } from './explain.js';
export { formatExplanation, type ExplainFormat } from './format.js';
export { loadNodesFile, parseNodes } from './nodes-file.js';
