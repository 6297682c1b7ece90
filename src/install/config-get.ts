import type { KubeClient } from '../kube/client.js';
import type { ConfigMap, DaemonSet, Pod } from '../kube/models.js';
import { R } from '../kube/resources.js';
import { NODE_AGENT_DAEMONSET } from '../kube/velero.js';
import { FerryError } from '../util/errors.js';
import { configHash, LOADED_CONFIG_HASH_ANNOTATION, LOADED_CONFIGMAP_ANNOTATION, NO_CONFIG } from './config-hash.js';
import { configMapArg, daemonSetPods } from './live-cluster.js';

/** `current`: the node-agent loaded the live config; `differs`: another one; `unknown`: it has not said (yet). */
export type LoadedState = 'current' | 'differs' | 'unknown';

export interface NodeAgentConfigState {
  pod: string;
  node: string;
  /** The ConfigMap the node-agent loaded at start, as it reported it (`null`: none, it runs the defaults). */
  loadedConfigMap: string | null;
  /** The hash of the config it loaded (`none`: no ConfigMap), or `null` when it has not reported it. */
  loadedHash: string | null;
  state: LoadedState;
}

export interface ConfigStatus {
  /** Whether the node-agent DaemonSet exists. */
  installed: boolean;
  /** The ConfigMap compared with: `--configmap`, else the one the DaemonSet names; `null` when there is none. */
  configMap: string | null;
  /** The ConfigMap the DaemonSet's args name (what node-agents load when they start), `null` for none. */
  daemonSetConfigMap: string | null;
  /** The ConfigMap's single data value, `null` when it does not exist or there is none. */
  live: string | null;
  /** Its hash, `none` when there is no ConfigMap to load, `null` when the named one does not exist. */
  hash: string | null;
  nodeAgents: NodeAgentConfigState[];
}

function stateOf(pod: Pod, configMap: string | null, hash: string | null): NodeAgentConfigState {
  const annotations = pod.metadata?.annotations ?? {};
  const loadedHash = annotations[LOADED_CONFIG_HASH_ANNOTATION] ?? null;
  const loadedConfigMap = annotations[LOADED_CONFIGMAP_ANNOTATION] ?? null;
  let state: LoadedState = 'unknown';
  if (loadedHash !== null) state = loadedHash === hash && loadedConfigMap === configMap ? 'current' : 'differs';
  return { pod: pod.metadata?.name ?? '', node: pod.spec?.nodeName ?? '', loadedConfigMap, loadedHash, state };
}

/**
 * The live config and the one each running node-agent loaded. The node-agents read the ConfigMap only at start and
 * then report the hash of what they read on their own pod, so an edit of the ConfigMap shows here as `differs` until
 * they restart, however it was made.
 */
export async function configStatus(client: KubeClient, namespace: string, name: string | undefined): Promise<ConfigStatus> {
  const ds = await client.find<DaemonSet>(R.daemonSets, { namespace, name: NODE_AGENT_DAEMONSET });
  if (ds === undefined && name === undefined) {
    throw new FerryError('NotFound', `no node-agent is installed in namespace ${namespace} (no DaemonSet ${NODE_AGENT_DAEMONSET})`, {
      hint: 'ferry install, or pass --configmap NAME to see a ConfigMap alone',
    });
  }
  const daemonSetConfigMap = configMapArg(ds) ?? null;
  const configMap = name ?? daemonSetConfigMap;
  const cm = configMap === null ? undefined : await client.find<ConfigMap>(R.configMaps, { namespace, name: configMap });
  const live = Object.values(cm?.data ?? {})[0] ?? null;
  let hash: string | null = null;
  if (configMap === null) hash = NO_CONFIG;
  else if (live !== null) hash = configHash(live);
  const pods = ds === undefined ? [] : await daemonSetPods(client, ds);
  const nodeAgents = pods
    .filter((p) => p.metadata?.deletionTimestamp === undefined && p.status?.phase === 'Running')
    .map((p) => stateOf(p, configMap, hash))
    .sort((a, b) => a.node.localeCompare(b.node));
  return { installed: ds !== undefined, configMap, daemonSetConfigMap, live, hash, nodeAgents };
}

function loadedText(a: NodeAgentConfigState): string {
  if (a.loadedHash === null) return '-';
  if (a.loadedConfigMap === null) return a.loadedHash === NO_CONFIG ? 'none (defaults)' : a.loadedHash;
  return `${a.loadedConfigMap} ${a.loadedHash}`;
}

/** How to create the ConfigMap: `config apply` validates the file first. */
function createCommand(s: ConfigStatus, namespace: string): string {
  return `ferry config apply -f <config.json> --configmap ${s.configMap ?? ''} -n ${namespace}`;
}

/** Whether the DaemonSet's node-agents load the ConfigMap shown (they start only once it exists). */
function readByDaemonSet(s: ConfigStatus): boolean {
  return s.installed && s.daemonSetConfigMap === s.configMap;
}

/** What the reader should know or do, after the table. */
function verdict(s: ConfigStatus, namespace: string): string[] {
  const agents = s.nodeAgents;
  if (agents.length === 0) return ['(no running node-agent)'];
  const restart = `kubectl rollout restart ds/${NODE_AGENT_DAEMONSET} -n ${namespace}`;
  const lines: string[] = [];
  const differ = agents.filter((a) => a.state === 'differs').length;
  const unknown = agents.filter((a) => a.state === 'unknown').length;
  if (differ > 0) {
    let fix = `restart them to load it: ${restart} (ferry config apply does it for you)`;
    if (!readByDaemonSet(s)) fix = 'a restart will not load it while the DaemonSet does not read it (see the note above)';
    else if (s.hash === null) fix = `create ConfigMap ${s.configMap ?? ''} first (${createCommand(s, namespace)}): a node-agent that starts before it exists fails`;
    lines.push(`${differ} of ${agents.length} node-agents loaded a different config than the live one: ${fix}`);
  }
  if (unknown > 0) lines.push(`${unknown} of ${agents.length} node-agents have not reported the config they loaded yet (starting up, or an older Ferry)`);
  if (differ + unknown === 0) lines.push(s.configMap === null ? 'every node-agent runs the defaults' : 'every node-agent runs the live config');
  return lines;
}

/**
 * The note under the ConfigMap line: what reads it, and what to run to use it. `ferry install
 * --node-agent-configmap` is suggested only for a ConfigMap that exists (install refuses a missing one), and a
 * missing ConfigMap the DaemonSet does not read is harmless to the node-agents.
 */
function configMapNote(s: ConfigStatus, namespace: string): string | undefined {
  const name = s.configMap ?? '';
  const missing = s.hash === null;
  const install = `ferry install --node-agent-configmap=${name} -n ${namespace}`;
  const use = missing ? `create it (${createCommand(s, namespace)}), then ${install}` : install;
  if (!s.installed) return `note: no node-agent is installed in namespace ${namespace}: ${use}`;
  if (s.daemonSetConfigMap !== s.configMap) {
    const reads = s.daemonSetConfigMap === null ? 'reads no ConfigMap' : `reads ConfigMap ${s.daemonSetConfigMap}`;
    return `note: DaemonSet ${namespace}/${NODE_AGENT_DAEMONSET} ${reads}, so node-agents will not load this one${missing ? ' and do not need it' : ''}; to use it: ${use}`;
  }
  if (missing) return `note: DaemonSet ${namespace}/${NODE_AGENT_DAEMONSET} reads this ConfigMap and it does not exist: node-agents that start now (a restart, a new node) will not start until it is created: ${createCommand(s, namespace)}`;
  return undefined;
}

export function formatConfigStatus(s: ConfigStatus, namespace: string): string {
  const lines: string[] = [];
  if (s.configMap === null) {
    lines.push(`DaemonSet ${namespace}/${NODE_AGENT_DAEMONSET} reads no node-agent ConfigMap (no --node-agent-configmap): node-agents run the defaults (no loadAffinity, loadConcurrency 1)`);
  } else {
    lines.push(`ConfigMap ${namespace}/${s.configMap}: ${s.hash === null ? 'not found' : `hash ${s.hash}`}`);
    const note = configMapNote(s, namespace);
    if (note !== undefined) lines.push(note);
    if (s.live !== null) lines.push(s.live.trimEnd());
  }
  lines.push('', 'Node-agents read the config only when they start; each reports what it loaded.', 'NODE\tPOD\tLOADED\tSTATE');
  for (const a of s.nodeAgents) lines.push(`${a.node}\t${a.pod}\t${loadedText(a)}\t${a.state}`);
  lines.push('', ...verdict(s, namespace));
  return `${lines.join('\n')}\n`;
}
