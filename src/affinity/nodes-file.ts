import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { errorMessage, FerryError } from '../util/errors.js';
import type { Node } from '../kube/models.js';

const EXPORT_HINT = 'export the nodes with: kubectl get nodes -o yaml > nodes.yaml';

type Json = unknown;

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isList(value: Json): value is Json[] {
  return Array.isArray(value);
}

/** What is wrong with one node object, or `undefined`; only what node matching relies on is checked. */
function nodeProblem(value: Json): string | undefined {
  if (!isObject(value)) return 'is not an object';
  if (value.kind !== undefined && value.kind !== 'Node') return `is a ${JSON.stringify(value.kind)}, not a Node`;
  const { metadata, spec } = value;
  if (!isObject(metadata) || typeof metadata.name !== 'string' || metadata.name === '') return 'has no metadata.name';
  const labels = metadata.labels ?? {};
  if (!isObject(labels)) return `(${metadata.name}): metadata.labels is not a map`;
  const badLabel = Object.entries(labels).find(([, v]) => typeof v !== 'string');
  if (badLabel) return `(${metadata.name}): label ${badLabel[0]} is not a string (quote it)`;
  const taints = isObject(spec) ? (spec.taints ?? []) : [];
  if (!isList(taints) || taints.some((t) => !isObject(t) || typeof t.key !== 'string' || typeof t.effect !== 'string')) {
    return `(${metadata.name}): spec.taints must be a list of {key, effect, value}`;
  }
  return undefined;
}

/** The node objects in one parsed document: a List/NodeList (`items`), an array, a single Node, or nothing. */
function documentNodes(doc: Json, docLabel: string): { where: string; value: Json }[] {
  const at = (part: string) => [docLabel, part].filter((s) => s !== '').join(', ');
  if (doc === null || doc === undefined) return [];
  if (isList(doc)) return doc.map((value, i) => ({ where: at(`[${i}]`), value }));
  if (isObject(doc) && isList(doc.items)) return doc.items.map((value, i) => ({ where: at(`items[${i}]`), value }));
  return [{ where: docLabel === '' ? 'the document' : docLabel, value: doc }];
}

function parseDocuments(text: string, path: string): Json[] {
  const trimmed = text.trimStart();
  // JSON.parse is far faster than the YAML parser on the large files `kubectl get nodes -o json` writes.
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return [JSON.parse(text)];
    } catch {
      // Flow-style YAML also starts with a bracket; let the YAML parser decide and report.
    }
  }
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) return [];
  for (const doc of docs) {
    const [first] = doc.errors;
    if (first) throw new FerryError('ConfigInvalid', `nodes file ${path} is not valid YAML or JSON: ${first.message}`, { hint: EXPORT_HINT });
  }
  return docs.map((doc) => doc.toJS() as Json);
}

/**
 * The Node objects in `text`: what `kubectl get nodes -o yaml|json` prints (a List with `items`), a plain YAML/JSON
 * array of Nodes, or a multi-document YAML stream of Nodes. Throws a FerryError naming `path` and the bad item.
 */
export function parseNodes(text: string, path: string): Node[] {
  const docs = parseDocuments(text, path);
  const entries = docs.flatMap((doc, i) => documentNodes(doc, docs.length > 1 ? `document ${i + 1}` : ''));
  for (const { where, value } of entries) {
    const problem = nodeProblem(value);
    if (problem !== undefined) {
      throw new FerryError('ConfigInvalid', `nodes file ${path}: ${where} ${problem}`, { hint: EXPORT_HINT });
    }
  }
  return entries.map(({ value }) => value as Node);
}

export async function loadNodesFile(path: string): Promise<Node[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new FerryError('NotFound', `cannot read nodes file ${path}: ${errorMessage(err)}`, { hint: EXPORT_HINT, cause: err });
  }
  return parseNodes(text, path);
}
