/**
 * A config file as users have it at hand: the raw JSON document they give to `kubectl create cm --from-file`, or a
 * ConfigMap manifest in YAML or JSON (what they `kubectl apply`, or what `kubectl get cm -o yaml` printed, also as a
 * one-item List). A document starting with `{` is JSON; anything else is read as YAML.
 */
import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { FerryError, errorMessage } from '../util/errors.js';
import { parseConfigMap, type ConfigMapData } from './configmap.js';
import { parseJson } from './json.js';
import { analyzeDocument } from './parse.js';
import { keyPath, ROOT } from './path.js';
import type { ConfigIssue, ConfigReport } from './types.js';

type Plain = Record<string, unknown>;

function isPlain(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unusable(source: string, message: string): ConfigReport {
  return { source, config: undefined, errors: [{ path: ROOT, message }], warnings: [] };
}

/** A manifest's `data` or `binaryData`: string values only, as the API server requires. */
function stringMap(value: unknown, path: string, errors: ConfigIssue[]): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isPlain(value)) {
    errors.push({ path, message: 'expected a map of strings' });
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === 'string') out[key] = v;
    else errors.push({ path: keyPath(path, key), message: `expected a string, got ${JSON.stringify(v)} (ConfigMap values are strings: quote it, or use a | block for JSON)` });
  }
  return out;
}

function fromManifest(manifest: Plain, source: string): ConfigReport {
  const errors: ConfigIssue[] = [];
  const data = stringMap(manifest.data, 'data', errors);
  const binaryData = stringMap(manifest.binaryData, 'binaryData', errors);
  if (errors.length > 0) return { source, config: undefined, errors, warnings: [] };
  const metadata = isPlain(manifest.metadata) ? manifest.metadata : {};
  const name = typeof metadata.name === 'string' ? metadata.name : '<unnamed>';
  const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : undefined;
  const cm: ConfigMapData = { ...(data && { data }), ...(binaryData && { binaryData }) };
  return { ...parseConfigMap(cm, name, namespace === undefined ? {} : { namespace }), source };
}

/** The ConfigMap among the documents (a `kind: List` counts as its items), or a report saying why there is none. */
function fromManifests(documents: readonly unknown[], source: string): ConfigReport {
  const objects = documents.flatMap((d) => (isPlain(d) && d.kind === 'List' && Array.isArray(d.items) ? (d.items as unknown[]) : [d]));
  const configMaps = objects.filter((o): o is Plain => isPlain(o) && o.kind === 'ConfigMap');
  const [only] = configMaps;
  if (configMaps.length === 1 && only !== undefined) return fromManifest(only, source);
  if (configMaps.length > 1) {
    const names = configMaps.map((cm) => (isPlain(cm.metadata) ? String(cm.metadata.name) : '<unnamed>'));
    return unusable(source, `${configMaps.length} ConfigMaps (${names.join(', ')}) in one file; validate them one at a time`);
  }
  const kinds = objects.filter(isPlain).map((o) => o.kind).filter((k) => typeof k === 'string');
  if (kinds.length > 0) return unusable(source, `no ConfigMap here (found kind ${kinds.join(', ')}); expected a ConfigMap manifest or a raw JSON config`);
  return unusable(
    source,
    'YAML that is not a ConfigMap manifest: the node-agent config itself must be JSON (Velero parses the ConfigMap value as JSON); write it as JSON or wrap it in a ConfigMap',
  );
}

function parseYaml(text: string, source: string): ConfigReport {
  const documents = parseAllDocuments(text);
  for (const doc of documents) {
    const [first] = doc.errors;
    if (first === undefined) continue;
    const at = first.linePos?.[0];
    const where = at === undefined ? '' : ` at line ${at.line}, column ${at.col}`;
    // The yaml package ends its first line with the position and follows it with a snippet; keep the words only.
    const words = (first.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    return unusable(source, `invalid YAML${where}: ${words}`);
  }
  let values: unknown[];
  try {
    values = documents.map((d) => {
      const value: unknown = d.toJS();
      return value;
    });
  } catch (err) {
    // toJS refuses documents whose aliases expand beyond a sane size.
    return unusable(source, `invalid YAML: ${errorMessage(err)}`);
  }
  return fromManifests(values, source);
}

/** A config file's text; `source` names it in the report. */
export function parseConfigFileText(text: string, source: string): ConfigReport {
  const start = /^[\s\uFEFF]*(.?)/.exec(text)?.[1] ?? '';
  if (start !== '{' && start !== '') return parseYaml(text, source);
  const parsed = parseJson(text);
  if (parsed.ok && parsed.value.kind === 'object' && parsed.value.members.some((m) => m.key === 'kind' && m.value.kind === 'string')) {
    const manifest: unknown = JSON.parse(text);
    return fromManifests([manifest], source);
  }
  return analyzeDocument(parsed, { source, rootPath: ROOT, prefix: '' });
}

function unreadable(path: string, err: unknown): FerryError {
  const code = err instanceof Error && 'code' in err ? err.code : undefined;
  const hint = 'give a raw JSON config or a ConfigMap manifest (YAML or JSON)';
  if (code === 'ENOENT') return new FerryError('NotFound', `cannot read config file ${path}: no such file`, { hint, cause: err });
  if (code === 'EISDIR') return new FerryError('Usage', `cannot read config file ${path}: it is a directory`, { hint, cause: err });
  return new FerryError('Unavailable', `cannot read config file ${path}: ${errorMessage(err)}`, { cause: err });
}

/** Reads and checks a config file; throws a FerryError naming the path when the file cannot be read. */
export async function loadConfigFile(path: string): Promise<ConfigReport> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw unreadable(path, err);
  }
  return parseConfigFileText(text, path);
}
