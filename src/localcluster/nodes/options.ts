/**
 * `--nodes N` and `--nodes-file FILE` into the Nodes to register: N default nodes, or the file's Node manifests
 * (what `kubectl get nodes -o yaml` prints, a YAML/JSON list, or a multi-document stream) checked the way the API
 * server would check them, with defaults filled in.
 */
import type { V1Node } from '@kubernetes/client-node';
import { loadNodesFile } from '../../affinity/index.js';
import type { Node } from '../../kube/models.js';
import { parseQuantity } from '../../config/quantity.js';
import { isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from '../../kube/names.js';
import { FerryError, usageError } from '../../util/errors.js';
import { defaultNodes, withDefaults } from './defaults.js';

export const MAX_NODES = 100;
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export interface NodesOptions {
  /** How many default nodes (`node-1` … `node-N`); 1 when neither this nor `file` is given. */
  count?: number;
  /** A nodes file; exclusive with `count`. */
  file?: string;
}

/** Every problem with one node, in the API server's terms. */
function nodeProblems(node: Node): string[] {
  const name = node.metadata?.name ?? '';
  const problems = isDNS1123Subdomain(name).map((m) => `metadata.name: ${m}`);
  for (const [key, value] of Object.entries(node.metadata?.labels ?? {})) {
    problems.push(...isQualifiedName(key).map((m) => `label ${JSON.stringify(key)}: ${m}`));
    problems.push(...isValidLabelValue(value).map((m) => `label ${key}=${JSON.stringify(value)}: ${m}`));
  }
  for (const taint of node.spec?.taints ?? []) {
    problems.push(...isQualifiedName(taint.key).map((m) => `taint key ${JSON.stringify(taint.key)}: ${m}`));
    if (taint.value) problems.push(...isValidLabelValue(taint.value).map((m) => `taint ${taint.key} value ${JSON.stringify(taint.value)}: ${m}`));
    if (!TAINT_EFFECTS.includes(taint.effect)) problems.push(`taint ${taint.key}: effect ${JSON.stringify(taint.effect)} is not one of ${TAINT_EFFECTS.join(', ')}`);
  }
  for (const field of ['capacity', 'allocatable'] as const) {
    for (const [resource, quantity] of Object.entries(node.status?.[field] ?? {})) {
      // YAML reads `cpu: 4` as a number.
      const text: unknown = quantity;
      const parsed = typeof text === 'number' ? text : typeof text === 'string' ? parseQuantity(text) : undefined;
      if (parsed === undefined || parsed < 0) problems.push(`status.${field}.${resource}: ${JSON.stringify(quantity)} is not a valid quantity (e.g. 4, 500m, 16Gi)`);
    }
  }
  return problems;
}

function checkNodes(nodes: readonly Node[], file: string): void {
  if (nodes.length === 0) throw new FerryError('ConfigInvalid', `nodes file ${file} has no Node`, { hint: 'describe at least one Node (kind: Node, metadata.name)' });
  const seen = new Set<string>();
  for (const node of nodes) {
    const name = node.metadata?.name ?? '';
    if (seen.has(name)) throw new FerryError('ConfigInvalid', `nodes file ${file}: node ${JSON.stringify(name)} is defined twice`);
    seen.add(name);
    const problems = nodeProblems(node);
    if (problems.length > 0) {
      throw new FerryError('ConfigInvalid', `nodes file ${file}: node ${JSON.stringify(name)}:\n  ${problems.join('\n  ')}`, {
        hint: 'fix the node manifest; labels, taints and quantities follow the Kubernetes rules',
      });
    }
  }
}

/** The Nodes `ferry local up` registers for `--nodes` / `--nodes-file`. */
export async function nodesFromOptions({ count, file }: NodesOptions = {}): Promise<V1Node[]> {
  if (count !== undefined && file !== undefined) {
    throw usageError('--nodes and --nodes-file cannot be used together', 'the nodes file already says how many nodes there are');
  }
  if (file !== undefined) {
    const nodes = await loadNodesFile(file);
    checkNodes(nodes, file);
    return nodes.map((node, i) => withDefaults(node, i));
  }
  const n = count ?? 1;
  if (!Number.isInteger(n) || n < 1 || n > MAX_NODES) throw usageError(`--nodes must be a whole number from 1 to ${MAX_NODES}, got ${n}`);
  return defaultNodes(n);
}
