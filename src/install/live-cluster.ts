import { explain, type Explanation } from '../affinity/index.js';
import type { NodeAgentConfig } from '../config/types.js';
import type { KubeClient } from '../kube/client.js';
import type { ConfigMap, DaemonSet, Node, NodeSelector, Pod, StorageClass, Toleration } from '../kube/models.js';
import { isPodReady } from '../kube/pod-status.js';
import { R } from '../kube/resources.js';
import { NODE_AGENT_DAEMONSET, NODE_AGENT_POD_LABELS, nodeAgentFlag } from '../kube/velero.js';

/** What `ferry affinity explain` needs from a live cluster, read once. */
export interface LiveCluster {
  nodes: Node[];
  /** Nodes with a Ready `ferry-node-agent` pod bound to them: only there can a data movement be processed. */
  nodeAgentNodes: Set<string>;
  daemonSet: DaemonSet | undefined;
  /** The node-agent DaemonSet's tolerations, which data-mover pods inherit. */
  tolerations: Toleration[];
  storageClasses: StorageClass[];
  /** The node-agent ConfigMap the DaemonSet reads, when it names one and it exists. */
  configMap: ConfigMap | undefined;
  configMapName: string | undefined;
}

/** The ConfigMap the DaemonSet's node-agents read (its `--node-agent-configmap`), if any. */
export function configMapArg(ds: DaemonSet | undefined): string | undefined {
  for (const container of ds?.spec?.template.spec?.containers ?? []) {
    const name = nodeAgentFlag(container.args ?? [], '--node-agent-configmap');
    if (name !== undefined) return name;
  }
  return undefined;
}

/** The pods of a DaemonSet (by its selector), whatever their state. */
export async function daemonSetPods(client: KubeClient, ds: DaemonSet): Promise<Pod[]> {
  const selector = Object.entries(ds.spec?.selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
  return (await client.list<Pod>(R.pods, ds.metadata?.namespace, { labelSelector: selector })).items;
}

export async function readLiveCluster(client: KubeClient, namespace: string, configMapName?: string): Promise<LiveCluster> {
  const daemonSet = await client.find<DaemonSet>(R.daemonSets, { namespace, name: NODE_AGENT_DAEMONSET });
  const name = configMapName ?? configMapArg(daemonSet);
  const [nodes, pods, classes, configMap] = await Promise.all([
    client.list<Node>(R.nodes, undefined),
    client.list<Pod>(R.pods, namespace, { labelSelector: `name=${NODE_AGENT_POD_LABELS.name ?? NODE_AGENT_DAEMONSET}` }),
    client.list<StorageClass>(R.storageClasses, undefined),
    name === undefined ? undefined : client.find<ConfigMap>(R.configMaps, { namespace, name }),
  ]);
  const ready = (p: Pod): boolean => p.metadata?.deletionTimestamp === undefined && isPodReady(p);
  return {
    nodes: nodes.items,
    nodeAgentNodes: new Set(pods.items.filter(ready).map((p) => p.spec?.nodeName ?? '')),
    daemonSet,
    tolerations: daemonSet?.spec?.template.spec?.tolerations ?? [],
    storageClasses: classes.items,
    configMap,
    configMapName: name,
  };
}

/** A class's `allowedTopologies` as the node selector its volumes' topology can at most be; `undefined` when unrestricted. */
export function classTopology(sc: StorageClass | undefined): NodeSelector | undefined {
  const terms = sc?.allowedTopologies ?? [];
  if (terms.length === 0) return undefined;
  return {
    nodeSelectorTerms: terms.map((t) => ({ matchExpressions: (t.matchLabelExpressions ?? []).map((e) => ({ key: e.key, operator: 'In', values: e.values })) })),
  };
}

/**
 * `explain` for one storage class on the live cluster: the class's allowedTopologies narrow the nodes, the
 * DaemonSet's tolerations are the data-mover pod's, and a node without a Ready node-agent is not eligible (nothing
 * there would process the data movement).
 */
export function explainLive(live: LiveCluster, config: NodeAgentConfig, storageClass: string): Explanation {
  const topology = classTopology(live.storageClasses.find((c) => c.metadata?.name === storageClass));
  const result = explain({ config, nodes: live.nodes, storageClass, tolerations: live.tolerations, ...(topology === undefined ? {} : { volumeTopology: topology }) });
  for (const node of result.nodes) {
    if (live.nodeAgentNodes.has(node.name)) continue;
    node.eligible = false;
    node.reasons.push('no Ready ferry-node-agent pod on this node: nothing would process the data movement here');
  }
  return result;
}
