/**
 * The shape of the node-agent config document (Velero v1.18.1 `NodeAgentConfigs` and the types it uses), as binders.
 * Required fields are the ones Go declares without a pointer and that our types declare non-optional.
 */
import type { V1LabelSelector, V1LabelSelectorRequirement } from '@kubernetes/client-node';
import { boolean, integer, list, map, string, struct } from './bind.js';
import type {
  BackupPVC,
  CachePVC,
  LoadAffinity,
  LoadConcurrency,
  NodeAgentConfig,
  PodResources,
  RestorePVC,
  RuledConfigs,
} from './types.js';

const stringMap = map(string);

const labelSelectorRequirement = struct<V1LabelSelectorRequirement>(
  { key: string, operator: string, values: list(string) },
  { required: ['key', 'operator'] },
);

const labelSelector = struct<V1LabelSelector>(
  { matchLabels: stringMap, matchExpressions: list(labelSelectorRequirement) },
  // People who know pod affinity write a NodeSelector here; a LabelSelector has no terms.
  { hints: { nodeSelectorTerms: 'matchExpressions' } },
);

const loadAffinity = struct<LoadAffinity>(
  { nodeSelector: labelSelector, storageClass: string },
  { required: ['nodeSelector'], hints: { storageClassName: 'storageClass', nodeAffinity: 'nodeSelector' } },
);

const ruledConfigs = struct<RuledConfigs>({ nodeSelector: labelSelector, number: integer }, { required: ['nodeSelector', 'number'] });

const loadConcurrency = struct<LoadConcurrency>({
  globalConfig: integer,
  perNodeConfig: list(ruledConfigs),
  prepareQueueLength: integer,
});

const backupPVC = struct<BackupPVC>({ storageClass: string, readOnly: boolean, spcNoRelabeling: boolean, annotations: stringMap });

const restorePVC = struct<RestorePVC>({ ignoreDelayBinding: boolean });

const podResources = struct<PodResources>({
  cpuRequest: string,
  cpuLimit: string,
  memoryRequest: string,
  memoryLimit: string,
  ephemeralStorageRequest: string,
  ephemeralStorageLimit: string,
});

// One Velero page documents the threshold as `thresholdInGB`; the field is `residentThresholdInMB`.
const cachePVC = struct<CachePVC>({ storageClass: string, residentThresholdInMB: integer }, { hints: { thresholdInGB: 'residentThresholdInMB' } });

export const nodeAgentConfig = struct<NodeAgentConfig>({
  loadConcurrency,
  loadAffinity: list(loadAffinity),
  backupPVC: map(backupPVC),
  restorePVC,
  podResources,
  priorityClassName: string,
  privilegedFsBackup: boolean,
  cachePVC,
  podLabels: stringMap,
  podAnnotations: stringMap,
});
