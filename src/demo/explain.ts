/**
 * "Where may the data-mover pod run, and why": `ferry affinity explain`'s live mode for one storage class — the
 * loadAffinity entry it picks, the pod's node affinity, and every node with the reasons it is excluded.
 */
import { formatExplanation } from '../affinity/index.js';
import { parseConfigMap } from '../config/index.js';
import { explainLive, readLiveCluster } from '../install/index.js';
import type { KubeClient } from '../kube/client.js';
import { FerryError } from '../util/errors.js';

export interface ClassExplanation {
  /** The explanation as `ferry affinity explain --storage-class <class>` prints it. */
  text: string;
  eligible: string[];
}

export async function explainForClass(kube: KubeClient, namespace: string, storageClass: string): Promise<ClassExplanation> {
  const live = await readLiveCluster(kube, namespace);
  const report = parseConfigMap(live.configMap, live.configMapName ?? '', { namespace });
  if (report.config === undefined || report.errors.length > 0) throw new FerryError('ConfigInvalid', `the node-agent ConfigMap is not usable: ${report.errors.map((e) => e.message).join('; ')}`);
  const result = explainLive(live, report.config, storageClass);
  return { text: formatExplanation(result, 'text'), eligible: result.nodes.filter((n) => n.eligible).map((n) => n.name) };
}
