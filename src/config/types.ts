/**
 * @module config/types
 * The node-agent configuration as Velero v1.18.1 defines it (`pkg/types/node_agent.go`): every section of the
 * node-agent ConfigMap's single JSON document. Field names are the canonical JSON keys. Absent sections are
 * `undefined`; Ferry never invents defaults here (defaults belong to the code that applies a section).
 */
import type { V1LabelSelector } from '@kubernetes/client-node';

/** One `loadAffinity` entry: the nodes data-mover pods may run on, optionally only for one storage class. */
export interface LoadAffinity {
  nodeSelector: V1LabelSelector;
  /** `undefined` or "" makes the entry global: it applies to storage classes without an entry of their own. */
  storageClass?: string;
}

/** A per-node concurrency rule: nodes matching `nodeSelector` run at most `number` data paths at once. */
export interface RuledConfigs {
  nodeSelector: V1LabelSelector;
  number: number;
}

export interface LoadConcurrency {
  /** Data paths per node when no perNodeConfig rule matches; ≤ 0 or absent means 1. */
  globalConfig?: number;
  /** The smallest `number` of the rules matching a node wins. */
  perNodeConfig?: RuledConfigs[];
  /** > 0 caps how many loads may be in preparation (exposed but not yet running) across the cluster. */
  prepareQueueLength?: number;
}

/** How the intermediate backup PVC is made, keyed by the source PVC's storage class. */
export interface BackupPVC {
  storageClass?: string;
  readOnly?: boolean;
  spcNoRelabeling?: boolean;
  annotations?: Record<string, string>;
}

export interface RestorePVC {
  /** When true, a WaitForFirstConsumer target does not pin the restore to the workload's node. */
  ignoreDelayBinding?: boolean;
}

/** Resource quantities (Kubernetes quantity strings) for data-mover pods. */
export interface PodResources {
  cpuRequest?: string;
  cpuLimit?: string;
  memoryRequest?: string;
  memoryLimit?: string;
  ephemeralStorageRequest?: string;
  ephemeralStorageLimit?: string;
}

export interface CachePVC {
  storageClass?: string;
  residentThresholdInMB?: number;
}

export interface NodeAgentConfig {
  loadConcurrency?: LoadConcurrency;
  loadAffinity?: LoadAffinity[];
  backupPVC?: Record<string, BackupPVC>;
  restorePVC?: RestorePVC;
  podResources?: PodResources;
  priorityClassName?: string;
  privilegedFsBackup?: boolean;
  cachePVC?: CachePVC;
  podLabels?: Record<string, string>;
  podAnnotations?: Record<string, string>;
}

/** A problem found in a config, located by a JSON path such as `loadAffinity[0].nodeSelector.matchExpressions[1].operator`. */
export interface ConfigIssue {
  path: string;
  message: string;
}

/** The outcome of reading one node-agent config: the typed config and every problem found in it. */
export interface ConfigReport {
  /** Where the config came from: a file path, or `ConfigMap <namespace>/<name>`. */
  source: string;
  /** `undefined` only when the document could not be parsed at all (bad JSON, bad ConfigMap shape, wrong top-level type). */
  config: NodeAgentConfig | undefined;
  /** Problems that stop the node-agent; the config is valid when there are none. */
  errors: ConfigIssue[];
  /** Problems that Velero passes over silently or works around; printed, never fatal. */
  warnings: ConfigIssue[];
}

/** Errors and warnings being collected while a config is checked. */
export type IssueLists = Pick<ConfigReport, 'errors' | 'warnings'>;
