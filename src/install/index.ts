/**
 * @module install
 * `ferry install`: the **manifests** (Velero's CRDs, namespace, service account, its RBAC — a ClusterRole for what
 * is cluster-wide, a Role in the install namespace for the rest —, the repository password Secret, the local
 * cluster's BackupStorageLocation, the node-agent DaemonSet) as pure builders, **apply** helpers
 * that create or replace them idempotently, and the **install** run that checks the node-agent ConfigMap first and can
 * wait for the node-agents to be ready; the **config lifecycle** (`config apply` writes the ConfigMap and rolls the
 * node-agents through a config hash in the pod template, `config get` compares the live config with what they run).
 */
export { install, waitForNodeAgents, type InstallOptions, type InstallResult, type InstallStep } from './install.js';
export { createIfAbsent, createOrReplace, type ApplyAction } from './apply.js';
export {
  INSTALL_LABELS,
  NAMESPACE_RBAC_NAME,
  clusterRbacName,
  clusterRoleBindingManifest,
  clusterRoleManifest,
  localBackupStorageLocation,
  namespaceManifest,
  nodeAgentArgs,
  nodeAgentDaemonSet,
  repositorySecretManifest,
  roleBindingManifest,
  roleManifest,
  serviceAccountManifest,
  type LocalObjectStore,
  type NodeAgentDaemonSetOptions,
} from './manifests.js';
export { configHash, CONFIG_HASH_ANNOTATION } from './config-hash.js';
export { applyConfig, type ApplyConfigOptions, type ApplyConfigResult } from './config-apply.js';
export { configStatus, formatConfigStatus, type ConfigStatus, type NodeAgentConfigState } from './config-get.js';
export { dryRunObjects, keptObjects, planInstall, type PlannedObject } from './install.js';
export { defaultStorageLocation, DEFAULT_LOCATION_NAME, type DefaultLocation } from './storage.js';
export { uninstall, type UninstallOptions, type UninstallStep } from './uninstall.js';
export { classTopology, explainLive, readLiveCluster, type LiveCluster } from './live-cluster.js';
