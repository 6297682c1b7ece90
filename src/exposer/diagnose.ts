import type { Node, NodeSelectorRequirement, NodeSelectorTerm, Pod } from '../kube/models.js';
import { compilePlacement, selectLoadAffinity, type PodPlacement } from '../affinity/index.js';
import type { LoadAffinity } from '../config/types.js';
import { matchesRequirement } from '../kube/labels.js';
import { schedulerMessage } from '../kube/pod-status.js';
import { PROVISIONING_WAIT } from './pod-state.js';

export interface PlacementFacts {
  /** The data-mover pod as the API has it now. */
  pod: Pod;
  nodes: readonly Node[];
  /** Nodes where a Ready pod of the node-agent DaemonSet is bound. */
  nodeAgentNodes: ReadonlySet<string>;
  /** Which config rule made the affinity, for people: `loadAffinity[0] for storage class "x"`. */
  rule: string;
}

/** Which loadAffinity entry applies to a storage class, in words, for `PlacementFacts.rule`. */
export function loadAffinityRule(loadAffinity: readonly LoadAffinity[] | undefined, storageClass: string): string {
  const selected = selectLoadAffinity(loadAffinity, storageClass);
  const forClass = `storage class ${JSON.stringify(storageClass)}`;
  return selected === undefined ? `no loadAffinity entry for ${forClass}, only the OS requirement` : `loadAffinity[${selected.index}] for ${forClass}`;
}

function formatRequirement({ key, operator, values }: NodeSelectorRequirement): string {
  return operator === 'Exists' || operator === 'DoesNotExist' ? `${key} ${operator}` : `${key} ${operator} [${(values ?? []).join(' ')}]`;
}

/** The requirements of the pod's required terms that a node fails; terms are numbered when there are several (ORed). */
function failedRequirements(terms: readonly NodeSelectorTerm[], node: Node): string {
  const labels = node.metadata?.labels ?? {};
  const perTerm = terms.map((term) => (term.matchExpressions ?? []).filter((req) => !matchesRequirement(req, labels)).map(formatRequirement));
  if (terms.length === 1) return (perTerm[0] ?? []).join(' and ');
  return perTerm.map((failed, i) => `term ${i}: ${failed.length === 0 ? 'matchFields' : failed.join(' and ')}`).join(', ');
}

/** `a, b: x; c: y`: nodes that share the same explanation are listed together, in node order. */
function grouped(entries: readonly { node: string; why: string }[]): string {
  const groups = new Map<string, string[]>();
  for (const { node, why } of entries) groups.set(why, [...(groups.get(why) ?? []), node]);
  return [...groups].map(([why, names]) => `${names.join(', ')}: ${why}`).join('; ');
}

const AFFINITY_KINDS = new Set(['nodeSelector', 'nodeAffinity']);


/**
 * Why the data-mover pod is not on its way to running, in one sentence a person can act on, or `undefined` when
 * nothing is wrong yet (it is waiting for the scheduler, or starting). Unplaced: no node matches the affinity
 * (naming the requirements each group of nodes fails), or the matching nodes are cordoned / tainted / not ready /
 * run no node-agent, plus the scheduler's own Unschedulable message. Placed: on a node without a node-agent, which
 * can never start the data movement.
 */
export function diagnosePlacement({ pod, nodes, nodeAgentNodes, rule }: PlacementFacts): string | undefined {
  const name = `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
  const nodeName = pod.spec?.nodeName;
  if (nodeName !== undefined && nodeName !== '') {
    if (nodeAgentNodes.has(nodeName)) return undefined;
    return `data-mover pod ${name} was placed on node ${nodeName}, where no node-agent is ready to start it: loadAffinity (${rule}) must only select nodes the node-agent DaemonSet runs on`;
  }
  const scheduler = schedulerMessage(pod);
  const withScheduler = (text: string): string => `data-mover pod ${name} cannot be placed: ${text}${scheduler === undefined ? '' : ` (scheduler: ${scheduler})`}`;
  if (nodes.length === 0) return withScheduler('the cluster has no nodes');

  const placement: PodPlacement = {};
  if (pod.spec?.affinity !== undefined) placement.affinity = pod.spec.affinity;
  if (pod.spec?.tolerations !== undefined) placement.tolerations = pod.spec.tolerations;
  if (pod.spec?.nodeSelector !== undefined) placement.nodeSelector = pod.spec.nodeSelector;
  const compiled = compilePlacement(placement);
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  const verdicts = nodes.map((node) => ({ node, name: node.metadata?.name ?? '', verdict: compiled.evaluate(node) }));
  const matching = verdicts.filter(({ verdict }) => !verdict.reasons.some((r) => AFFINITY_KINDS.has(r.kind)));

  if (matching.length === 0) {
    const why = verdicts.map(({ node, name: n, verdict }) => ({
      node: n,
      why:
        failedRequirements(terms, node) ||
        verdict.reasons
          .filter((r) => AFFINITY_KINDS.has(r.kind))
          .map((r) => r.message)
          .join(' and '),
    }));
    return withScheduler(`no node matches its node affinity (${rule}): ${grouped(why)}`);
  }
  const eligible = matching.filter(({ verdict }) => verdict.eligible);
  if (eligible.length === 0) {
    const why = matching.map(({ name: n, verdict }) => ({ node: n, why: verdict.reasons.map((r) => r.message).join(', ') }));
    return withScheduler(`every node matching its node affinity (${rule}) is unavailable: ${grouped(why)}`);
  }
  const withoutAgent = eligible.filter(({ name: n }) => !nodeAgentNodes.has(n));
  if (withoutAgent.length === eligible.length) {
    return withScheduler(`the nodes matching its node affinity (${rule}) run no ready node-agent: ${withoutAgent.map((v) => v.name).join(', ')}`);
  }
  if (scheduler === undefined) return undefined;
  // The backup or restore PVC is still being provisioned: the scheduler retries once it is bound, nothing is wrong yet.
  if (scheduler.includes('unbound immediate PersistentVolumeClaims')) {
    const claim = pod.spec?.volumes?.find((v) => v.persistentVolumeClaim !== undefined)?.persistentVolumeClaim?.claimName;
    return `data-mover pod ${name} ${PROVISIONING_WAIT}${claim === undefined ? '' : ` ${pod.metadata?.namespace ?? ''}/${claim}`} to be provisioned and bound`;
  }
  // An Immediate class provisions the volume wherever it likes, before the pod (and its loadAffinity) is considered.
  if (scheduler.includes('volume node affinity conflict')) {
    return withScheduler(
      `its volume is reachable only from nodes its node affinity (${rule}) excludes: the volume's storage class binds Immediately, so it was provisioned without regard to loadAffinity; give it a WaitForFirstConsumer class (backupPVC.<class>.storageClass for backups, the target PVC's class for restores) or allow those nodes`,
    );
  }
  return withScheduler('the scheduler found no fitting node');
}
