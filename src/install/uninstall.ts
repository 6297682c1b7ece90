import type { KubeClient } from '../kube/client.js';
import { isNotFound } from '../kube/errors.js';
import type { ObjectMeta } from '../kube/models.js';
import { R, type ResourceType } from '../kube/resources.js';
import { NODE_AGENT_DAEMONSET, REPOSITORY_SECRET, SERVICE_ACCOUNT } from '../kube/velero.js';
import { clusterRbacName, INSTALL_LABELS, NAMESPACE_RBAC_NAME } from './manifests.js';

export interface UninstallOptions {
  client: KubeClient;
  namespace: string;
  /** Also delete the repository password: every backup made by this install becomes unreadable. */
  deleteRepositoryPassword: boolean;
}

export interface UninstallStep {
  kind: string;
  name: string;
  action: 'deleted' | 'not found' | 'kept';
}

const SELECTOR = Object.entries(INSTALL_LABELS).map(([k, v]) => `${k}=${v}`).join(',');

/**
 * Removes what `ferry install` created: the DaemonSet, RBAC (ClusterRole, Role and their bindings) and service
 * account, and the Secrets and BackupStorageLocation that carry install's label (ones others made are left alone).
 * Never the CRDs (Velero may own them, and deleting a CRD deletes every DataUpload and DataDownload with it), the
 * namespace, or backup data.
 */
export async function uninstall({ client, namespace, deleteRepositoryPassword }: UninstallOptions): Promise<UninstallStep[]> {
  const steps: UninstallStep[] = [];
  const remove = async (resource: ResourceType, kind: string, name: string, ns: string | undefined): Promise<void> => {
    const deleted = await client.delete(resource, { namespace: ns, name });
    steps.push({ kind, name, action: deleted ? 'deleted' : 'not found' });
  };
  // The node-agents first, so no data movement starts while the rest goes.
  await remove(R.daemonSets, 'DaemonSet', NODE_AGENT_DAEMONSET, namespace);
  await remove(R.clusterRoleBindings, 'ClusterRoleBinding', clusterRbacName(namespace), undefined);
  await remove(R.clusterRoles, 'ClusterRole', clusterRbacName(namespace), undefined);
  await remove(R.roleBindings, 'RoleBinding', NAMESPACE_RBAC_NAME, namespace);
  await remove(R.roles, 'Role', NAMESPACE_RBAC_NAME, namespace);
  await remove(R.serviceAccounts, 'ServiceAccount', SERVICE_ACCOUNT, namespace);
  const labelled = async (resource: ResourceType): Promise<string[]> => {
    try {
      return (await client.list<{ metadata?: ObjectMeta }>(resource, namespace, { labelSelector: SELECTOR })).items.map((o) => o.metadata?.name ?? '');
    } catch (err) {
      // No BackupStorageLocation CRD (removed by someone else): nothing of that kind to remove.
      if (isNotFound(err)) return [];
      throw err;
    }
  };
  for (const name of await labelled(R.backupStorageLocations)) await remove(R.backupStorageLocations, 'BackupStorageLocation', name, namespace);
  for (const name of await labelled(R.secrets)) {
    if (name === REPOSITORY_SECRET && !deleteRepositoryPassword) steps.push({ kind: 'Secret', name, action: 'kept' });
    else await remove(R.secrets, 'Secret', name, namespace);
  }
  return steps;
}
