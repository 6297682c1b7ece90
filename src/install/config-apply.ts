import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { formatIssues, loadConfigFile } from '../config/index.js';
import type { KubeClient } from '../kube/client.js';
import type { ConfigMap, DaemonSet } from '../kube/models.js';
import { R } from '../kube/resources.js';
import { NODE_AGENT_DAEMONSET } from '../kube/velero.js';
import { FerryError } from '../util/errors.js';
import { CONFIG_HASH_ANNOTATION, configHash } from './config-hash.js';
import { configMapArg } from './live-cluster.js';

/** The ConfigMap's single data entry from the file: a raw JSON file keeps its base name as key, as `--from-file` does. */
async function dataEntry(file: string): Promise<[string, string]> {
  const text = await readFile(file, 'utf8');
  if (text.trimStart().startsWith('{')) return [basename(file), text];
  // Validation already found exactly one ConfigMap with exactly one data key.
  for (const doc of parseAllDocuments(text)) {
    const value: unknown = doc.toJS();
    const objects = (value as { kind?: string; items?: unknown[] } | null)?.kind === 'List' ? ((value as { items: unknown[] }).items) : [value];
    for (const o of objects) {
      const cm = o as ConfigMap | null;
      const [entry] = Object.entries(cm?.kind === 'ConfigMap' ? (cm.data ?? {}) : {});
      if (entry !== undefined) return entry;
    }
  }
  throw new FerryError('ConfigInvalid', `${file}: no ConfigMap data found`);
}

export interface ApplyConfigOptions {
  client: KubeClient;
  namespace: string;
  configMap: string;
  file: string;
  log: (line: string) => void;
}

export interface ApplyConfigResult {
  configMap: 'created' | 'configured' | 'unchanged';
  hash: string;
  /** `rolled`: the node-agents restart with the new config; `current`: they already run it; `absent`: no DaemonSet. */
  nodeAgents: 'rolled' | 'current' | 'absent';
}

/**
 * Validates the file (an invalid one changes nothing), writes it as the ConfigMap's only data key, and records its
 * hash in the node-agent DaemonSet's pod template: the node-agents read the config only at start, and a template
 * change is what makes the DaemonSet controller replace them.
 */
export async function applyConfig({ client, namespace, configMap, file, log }: ApplyConfigOptions): Promise<ApplyConfigResult> {
  const report = await loadConfigFile(file);
  if (report.errors.length > 0 || report.config === undefined) {
    throw new FerryError('ConfigInvalid', `${file} is invalid; nothing was changed:\n${formatIssues(report).trimEnd()}`, {
      hint: `ferry config validate ${file} lists every problem`,
    });
  }
  for (const { path, message } of report.warnings) log(`warning: ${path}: ${message}`);
  const [key, value] = await dataEntry(file);
  const hash = configHash(value);
  const existing = await client.find<ConfigMap>(R.configMaps, { namespace, name: configMap });
  const desired: ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: configMap, namespace }, data: { [key]: value } };
  let action: ApplyConfigResult['configMap'];
  if (existing === undefined) {
    await client.create(R.configMaps, namespace, desired);
    action = 'created';
  } else if (JSON.stringify(existing.data ?? {}) === JSON.stringify(desired.data) && existing.binaryData === undefined) {
    action = 'unchanged';
  } else {
    // Replace, not merge: the node-agent refuses a ConfigMap with more than one data key.
    await client.replace(R.configMaps, { namespace, name: configMap }, { ...existing, data: desired.data, binaryData: undefined });
    action = 'configured';
  }
  const ds = await client.find<DaemonSet>(R.daemonSets, { namespace, name: NODE_AGENT_DAEMONSET });
  if (ds === undefined) return { configMap: action, hash, nodeAgents: 'absent' };
  if (configMapArg(ds) !== configMap) {
    log(`warning: DaemonSet ${namespace}/${NODE_AGENT_DAEMONSET} does not read ConfigMap ${configMap}: run ferry install --node-agent-configmap=${configMap}`);
  }
  if (ds.spec?.template.metadata?.annotations?.[CONFIG_HASH_ANNOTATION] === hash) return { configMap: action, hash, nodeAgents: 'current' };
  await client.patch(R.daemonSets, { namespace, name: NODE_AGENT_DAEMONSET }, { spec: { template: { metadata: { annotations: { [CONFIG_HASH_ANNOTATION]: hash } } } } });
  return { configMap: action, hash, nodeAgents: 'rolled' };
}
