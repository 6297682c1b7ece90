/**
 * @module install
 * `ferry install`: the **manifests** (Velero's CRDs, namespace, service account and RBAC, the repository password
 * Secret, the local cluster's BackupStorageLocation, the node-agent DaemonSet) as pure builders, **apply** helpers
 * that create or replace them idempotently, and the **install** run that checks the node-agent ConfigMap first and can
 * wait for the node-agents to be ready.
 */
export { install, waitForNodeAgents, type InstallOptions, type InstallResult, type InstallStep } from './install.js';
export { createIfAbsent, createOrReplace, type ApplyAction } from './apply.js';
export {
  INSTALL_LABELS,
  clusterRoleBindingManifest,
  clusterRoleManifest,
  localBackupStorageLocation,
  namespaceManifest,
  nodeAgentArgs,
  nodeAgentDaemonSet,
  repositorySecretManifest,
  serviceAccountManifest,
  type LocalObjectStore,
  type NodeAgentDaemonSetOptions,
} from './manifests.js';
