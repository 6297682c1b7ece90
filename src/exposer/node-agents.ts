import type { Pod } from '../kube/models.js';
import type { KubeClient } from '../kube/client.js';
import { isPodReady } from '../kube/pod-status.js';
import { R } from '../kube/resources.js';
import { NODE_AGENT_POD_LABELS } from '../kube/velero.js';

/** Whether a node-agent pod is bound, not going away, and Ready. */
export function isReadyNodeAgent(pod: Pod): boolean {
  if (pod.metadata?.deletionTimestamp !== undefined) return false;
  if (pod.spec?.nodeName === undefined || pod.spec.nodeName === '') return false;
  return isPodReady(pod);
}

/** The nodes where a Ready pod of the node-agent DaemonSet runs: only there can a data movement start. */
export async function readyNodeAgentNodes(client: KubeClient, namespace: string): Promise<Set<string>> {
  const { items } = await client.list<Pod>(R.pods, namespace, { labelSelector: `name=${NODE_AGENT_POD_LABELS.name ?? ''}` });
  return new Set(items.filter(isReadyNodeAgent).map((pod) => pod.spec?.nodeName ?? ''));
}
