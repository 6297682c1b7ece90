import { isNodeSelectorOperator, matchesRequirement, type Labels } from '../kube/labels.js';
import { describeMismatch, requirementErrors, show, showList } from './requirements.js';
import { formatTaint, toleratesAny, UNSCHEDULABLE_TAINT, untoleratedTaints } from './taints.js';
import type { Affinity, Node, NodeSelectorRequirement, NodeSelectorTerm, Toleration } from '../kube/models.js';

/** The parts of a pod spec that decide which nodes it may run on. */
export interface PodPlacement {
  nodeSelector?: Record<string, string>;
  affinity?: Affinity;
  tolerations?: Toleration[];
}

export type NodeReasonKind = 'nodeSelector' | 'nodeAffinity' | 'unschedulable' | 'taint' | 'notReady';

export interface NodeReason {
  kind: NodeReasonKind;
  message: string;
}

/** Whether a pod may be placed on a node; when not, every reason (not only the first the scheduler would report). */
export interface NodeVerdict {
  eligible: boolean;
  reasons: NodeReason[];
}

/** A pod's placement rules checked once, to be evaluated against many nodes. */
export interface CompiledPlacement {
  evaluate(node: Node): NodeVerdict;
}

const NO_LABELS: Labels = Object.freeze({});
const NAME_FIELD = 'metadata.name';

/** A requirement with its value list already rendered for reasons. */
interface CompiledRequirement {
  req: NodeSelectorRequirement;
  list: string;
}

interface CompiledTerm {
  expressions: readonly CompiledRequirement[];
  fields: readonly CompiledRequirement[];
  /** Set when the term can match no node: it is empty, or one of its requirements cannot be parsed. */
  unmatchable: string | undefined;
}

function fieldErrors({ key, operator, values = [] }: NodeSelectorRequirement): string[] {
  if (key !== NAME_FIELD) return [`matchFields: ${JSON.stringify(key)} is not supported (only ${NAME_FIELD})`];
  const errs: string[] = [];
  if (operator !== 'In' && operator !== 'NotIn') errs.push(`${NAME_FIELD}: ${JSON.stringify(operator)} is not a valid operator in matchFields (use In or NotIn)`);
  if (values.length !== 1) errs.push(`${NAME_FIELD}: matchFields needs exactly one value, got ${values.length}`);
  return errs;
}

function expressionErrors(req: NodeSelectorRequirement): string[] {
  if (!isNodeSelectorOperator(req.operator)) {
    return [`${show(req.key)}: ${JSON.stringify(req.operator)} is not a valid operator (use In, NotIn, Exists, DoesNotExist, Gt or Lt)`];
  }
  return requirementErrors(req);
}

/**
 * Parses a term the way the scheduler's `LazyErrorNodeSelector` does: an empty term selects nothing, and a term with
 * a requirement that does not parse matches nothing without affecting the other (ORed) terms.
 */
function compileTerm(term: NodeSelectorTerm): CompiledTerm {
  const expressions = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  const compile = (req: NodeSelectorRequirement): CompiledRequirement => ({ req, list: showList(req.values) });
  const compiled = { expressions: expressions.map(compile), fields: fields.map(compile) };
  if (expressions.length === 0 && fields.length === 0) return { ...compiled, unmatchable: 'empty term (matches no node)' };
  const errors = [...expressions.flatMap(expressionErrors), ...fields.flatMap(fieldErrors)];
  return { ...compiled, unmatchable: errors.length > 0 ? `invalid term (matches no node): ${errors.join('; ')}` : undefined };
}

function labelValue(labels: Labels, key: string): string | undefined {
  return Object.hasOwn(labels, key) ? labels[key] : undefined;
}

// The scheduler checks matchFields only for nodes that have a name.
function fieldMatches(req: NodeSelectorRequirement, name: string): boolean {
  return name === '' || (req.operator === 'In') === (req.values?.[0] === name);
}

function termMatches(term: CompiledTerm, labels: Labels, name: string): boolean {
  return (
    term.unmatchable === undefined &&
    term.expressions.every(({ req }) => matchesRequirement(req, labels)) &&
    term.fields.every(({ req }) => fieldMatches(req, name))
  );
}

function termMismatches(term: CompiledTerm, labels: Labels, name: string): string[] {
  if (term.unmatchable !== undefined) return [term.unmatchable];
  const reasons: string[] = [];
  for (const { req, list } of term.expressions) {
    if (!matchesRequirement(req, labels)) reasons.push(describeMismatch(req, labelValue(labels, req.key), list));
  }
  for (const { req, list } of term.fields) {
    if (!fieldMatches(req, name)) reasons.push(describeMismatch(req, name, list));
  }
  return reasons;
}

function notReadyMessage(node: Node): string | undefined {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready === undefined) return 'not ready (no Ready condition)';
  if (ready.status === 'True') return undefined;
  return ready.status === 'False' ? 'not ready' : `not ready (Ready=${ready.status})`;
}

/**
 * Compiles the placement rules of a pod with kube-scheduler semantics: `nodeSelector` AND the required node affinity
 * (terms ORed, requirements ANDed), plus the node's Ready condition, cordon (`spec.unschedulable`, unless the pod
 * tolerates `node.kubernetes.io/unschedulable:NoSchedule`) and NoSchedule/NoExecute taints against the tolerations.
 * Preferred affinity never filters, so it is ignored.
 */
export function compilePlacement(pod: PodPlacement): CompiledPlacement {
  const nodeSelector = Object.entries(pod.nodeSelector ?? {});
  const required = pod.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  const terms = required?.nodeSelectorTerms.map(compileTerm);
  const tolerations = pod.tolerations ?? [];
  const cordonTolerated = toleratesAny(tolerations, UNSCHEDULABLE_TAINT);

  function affinityReasons(labels: Labels, name: string): NodeReason[] {
    if (terms === undefined || terms.some((term) => termMatches(term, labels, name))) return [];
    if (terms.length === 0) return [{ kind: 'nodeAffinity', message: 'required node affinity has no terms (matches no node)' }];
    const prefix = (i: number) => (terms.length > 1 ? `term[${i}]: ` : '');
    return terms.flatMap((term, i) =>
      termMismatches(term, labels, name).map((message): NodeReason => ({ kind: 'nodeAffinity', message: prefix(i) + message })),
    );
  }

  return {
    evaluate(node: Node): NodeVerdict {
      const labels = node.metadata?.labels ?? NO_LABELS;
      const name = node.metadata?.name ?? '';
      const reasons: NodeReason[] = [];
      for (const [key, want] of nodeSelector) {
        const value = labelValue(labels, key);
        if (value === undefined) reasons.push({ kind: 'nodeSelector', message: `${key}: label missing (nodeSelector wants ${show(want)})` });
        else if (value !== want) reasons.push({ kind: 'nodeSelector', message: `${key}: ${show(value)}, nodeSelector wants ${show(want)}` });
      }
      reasons.push(...affinityReasons(labels, name));
      if (node.spec?.unschedulable === true && !cordonTolerated) reasons.push({ kind: 'unschedulable', message: 'cordoned' });
      for (const taint of untoleratedTaints(node.spec?.taints, tolerations)) {
        reasons.push({ kind: 'taint', message: `untolerated taint ${formatTaint(taint)}` });
      }
      const notReady = notReadyMessage(node);
      if (notReady !== undefined) reasons.push({ kind: 'notReady', message: notReady });
      return { eligible: reasons.length === 0, reasons };
    },
  };
}

/** Whether `pod` may be placed on `node`, and every reason it may not. Compile once with {@link compilePlacement} for many nodes. */
export function evaluateNode(pod: PodPlacement, node: Node): NodeVerdict {
  return compilePlacement(pod).evaluate(node);
}

/** The scheduler's required-node-affinity match alone: does any term (ORed) match the node's labels and name? */
export function matchNodeSelectorTerms(terms: readonly NodeSelectorTerm[], node: Node): boolean {
  const labels = node.metadata?.labels ?? NO_LABELS;
  const name = node.metadata?.name ?? '';
  return terms.some((term) => termMatches(compileTerm(term), labels, name));
}
