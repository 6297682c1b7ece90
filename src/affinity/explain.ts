import type { NodeAgentConfig } from '../config/types.js';
import { compilePlacement } from './match.js';
import { selectLoadAffinity } from './select.js';
import { dataMoverPodAffinity } from './translate.js';
import type { Affinity, Node, NodeSelector, Toleration } from '../kube/models.js';

export interface ExplainInput {
  config: NodeAgentConfig;
  nodes: readonly Node[];
  /** The storage class that picks the entry (the backup PVC's class for backups, the target PVC's for restores); default "". */
  storageClass?: string;
  /** `spec.nodeAffinity.required` of a WaitForFirstConsumer source volume. */
  volumeTopology?: NodeSelector;
  /** The data-mover pod's tolerations; none by default. */
  tolerations?: Toleration[];
}

export interface NodeExplanation {
  name: string;
  eligible: boolean;
  /** Empty when eligible; otherwise every reason, e.g. `kubernetes.io/hostname: node-4 not in [node-1 node-2 node-3]`. */
  reasons: string[];
}

export interface Explanation {
  /** Index of the loadAffinity entry used, `null` when none applies. */
  entry: number | null;
  storageClass: string;
  /** Which entry was picked and why, e.g. `loadAffinity[0] (global entry: no entry for storage class "x")`. */
  picked: string;
  /** The exact affinity a data-mover pod would carry. */
  affinity: Affinity;
  nodes: NodeExplanation[];
}

function describePick(config: NodeAgentConfig, storageClass: string, index: number | undefined): string {
  const forClass = storageClass === '' ? 'no storage class given' : `no entry for storage class ${JSON.stringify(storageClass)}`;
  if (index === undefined) {
    const why = (config.loadAffinity ?? []).length === 0 ? 'the config has no loadAffinity' : `${forClass} and no global entry`;
    return `none (${why}): data-mover pods only carry the OS requirement`;
  }
  const entryClass = config.loadAffinity?.[index]?.storageClass ?? '';
  if (entryClass !== '') return `loadAffinity[${index}] (storage class ${JSON.stringify(entryClass)})`;
  return `loadAffinity[${index}] (global entry: ${forClass})`;
}

/**
 * Which loadAffinity entry a data-mover pod for `storageClass` gets, the exact affinity that results, and for each
 * node whether the pod could run there or every reason it could not.
 */
export function explain({ config, nodes, storageClass = '', volumeTopology, tolerations = [] }: ExplainInput): Explanation {
  const selected = selectLoadAffinity(config.loadAffinity, storageClass);
  const affinity = dataMoverPodAffinity(selected?.entry, volumeTopology);
  const placement = compilePlacement({ affinity, tolerations });
  return {
    entry: selected?.index ?? null,
    storageClass,
    picked: describePick(config, storageClass, selected?.index),
    affinity,
    nodes: nodes.map((node) => {
      const { eligible, reasons } = placement.evaluate(node);
      return { name: node.metadata?.name ?? '', eligible, reasons: reasons.map((r) => r.message) };
    }),
  };
}
