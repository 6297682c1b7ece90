/**
 * @module config
 * The node-agent ConfigMap, read exactly as Velero v1.18.1 reads it and checked far more closely.
 *
 * - A **config** (`NodeAgentConfig`) is the one JSON document the ConfigMap holds: loadAffinity, loadConcurrency,
 *   podResources, backupPVC, restorePVC, cachePVC, priorityClassName, privilegedFsBackup, podLabels, podAnnotations.
 * - A **source** is where it came from: a ConfigMap (exactly one `data` key, whatever its name), a raw JSON file,
 *   or a ConfigMap manifest file (YAML or JSON).
 * - An **issue** (`ConfigIssue`) is one problem with its JSON path
 *   (`loadAffinity[0].nodeSelector.matchExpressions[1].operator`; `$` is the whole document, `data…` the ConfigMap).
 *   **Errors** stop the node-agent; **warnings** name what Velero would silently skip, bind or work around.
 * - A **report** (`ConfigReport`) is the typed config plus every issue found, all at once.
 */
export type {
  BackupPVC,
  CachePVC,
  ConfigIssue,
  ConfigReport,
  LoadAffinity,
  LoadConcurrency,
  NodeAgentConfig,
  PodResources,
  RestorePVC,
  RuledConfigs,
} from './types.js';
export { parseConfigText } from './parse.js';
export { parseConfigMap, readConfigMap, type ConfigMapData, type ConfigMapGetter, type ConfigMapOptions } from './configmap.js';
export { loadConfigFile, parseConfigFileText } from './file.js';
export { formatIssues, formatReport, formatSummary, issueCounts, type ReportFormat } from './report.js';
export { parseQuantity } from './quantity.js';
export { POD_RESOURCE_PAIRS } from './resources.js';
