import type { KubeClient } from '../kube/client.js';
import type { ConfigMap, DaemonSet, Pod } from '../kube/models.js';
import { R } from '../kube/resources.js';
import { NODE_AGENT_DAEMONSET } from '../kube/velero.js';
import { FerryError } from '../util/errors.js';
import { CONFIG_HASH_ANNOTATION, configHash } from './config-hash.js';
import { configMapArg } from './live-cluster.js';

export interface NodeAgentConfigState {
  pod: string;
  node: string;
  /** The hash of the config the pod was started with (from the template it was created from), if recorded. */
  hash: string | undefined;
  current: boolean;
}

export interface ConfigStatus {
  configMap: string;
  /** The ConfigMap's single data value, or `undefined` when it does not exist. */
  live: string | undefined;
  hash: string | undefined;
  nodeAgents: NodeAgentConfigState[];
}

/**
 * The live config and the one each node-agent runs. The node-agents read the ConfigMap only at start, so each pod
 * carries the template's config hash (`ferry config apply` writes it) from when it was created.
 */
export async function configStatus(client: KubeClient, namespace: string, name: string | undefined): Promise<ConfigStatus> {
  const ds = await client.find<DaemonSet>(R.daemonSets, { namespace, name: NODE_AGENT_DAEMONSET });
  const configMap = name ?? (ds === undefined ? undefined : configMapArg(ds));
  if (configMap === undefined) {
    throw new FerryError('NotFound', `no --configmap given and DaemonSet ${namespace}/${NODE_AGENT_DAEMONSET} reads no node-agent ConfigMap`, {
      hint: 'pass --configmap NAME',
    });
  }
  const cm = await client.find<ConfigMap>(R.configMaps, { namespace, name: configMap });
  const live = Object.values(cm?.data ?? {})[0];
  const hash = live === undefined ? undefined : configHash(live);
  const selector = Object.entries(ds?.spec?.selector.matchLabels ?? { name: NODE_AGENT_DAEMONSET }).map(([k, v]) => `${k}=${v}`).join(',');
  const pods = ds === undefined ? [] : (await client.list<Pod>(R.pods, namespace, { labelSelector: selector })).items;
  const nodeAgents = pods
    .filter((p) => p.metadata?.deletionTimestamp === undefined && p.status?.phase === 'Running')
    .map((p) => {
      const podHash = p.metadata?.annotations?.[CONFIG_HASH_ANNOTATION];
      return { pod: p.metadata?.name ?? '', node: p.spec?.nodeName ?? '', hash: podHash, current: podHash !== undefined && podHash === hash };
    })
    .sort((a, b) => a.node.localeCompare(b.node));
  return { configMap, live, hash, nodeAgents };
}

export function formatConfigStatus(s: ConfigStatus, namespace: string): string {
  const lines = [`ConfigMap ${namespace}/${s.configMap}: ${s.hash === undefined ? 'not found' : `hash ${s.hash}`}`];
  if (s.live !== undefined) lines.push(s.live.trimEnd());
  lines.push('', 'NODE\tPOD\tCONFIG HASH\tSTATE');
  for (const a of s.nodeAgents) lines.push(`${a.node}\t${a.pod}\t${a.hash ?? '-'}\t${a.current ? 'current' : 'differs'}`);
  const stale = s.nodeAgents.filter((a) => !a.current).length;
  if (s.nodeAgents.length === 0) lines.push('(no running node-agent)');
  else if (stale > 0) {
    lines.push(
      '',
      `${stale} of ${s.nodeAgents.length} node-agents run a different config than the live ConfigMap (they read it only at start): ` +
        `run ferry config apply, or kubectl rollout restart ds/${NODE_AGENT_DAEMONSET} -n ${namespace}`,
    );
  } else lines.push('', 'every node-agent runs the live config');
  return `${lines.join('\n')}\n`;
}
