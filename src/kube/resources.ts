/**
 * The API resources Ferry reads and writes, and the REST paths that address them. A path names a collection
 * (`/api/v1/namespaces/velero/pods`), one object (`…/pods/x`) or a subresource (`…/pods/x/status`).
 */

export interface ResourceType {
  /** "" for the core group. */
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
  kind: string;
}

const core = (kind: string, plural: string, namespaced = true): ResourceType => ({ group: '', version: 'v1', plural, namespaced, kind });
const grouped = (group: string, version: string, kind: string, plural: string, namespaced = true): ResourceType => ({
  group,
  version,
  plural,
  namespaced,
  kind,
});

export const R = {
  namespaces: core('Namespace', 'namespaces', false),
  nodes: core('Node', 'nodes', false),
  pods: core('Pod', 'pods'),
  configMaps: core('ConfigMap', 'configmaps'),
  secrets: core('Secret', 'secrets'),
  serviceAccounts: core('ServiceAccount', 'serviceaccounts'),
  events: core('Event', 'events'),
  persistentVolumes: core('PersistentVolume', 'persistentvolumes', false),
  persistentVolumeClaims: core('PersistentVolumeClaim', 'persistentvolumeclaims'),
  daemonSets: grouped('apps', 'v1', 'DaemonSet', 'daemonsets'),
  storageClasses: grouped('storage.k8s.io', 'v1', 'StorageClass', 'storageclasses', false),
  priorityClasses: grouped('scheduling.k8s.io', 'v1', 'PriorityClass', 'priorityclasses', false),
  leases: grouped('coordination.k8s.io', 'v1', 'Lease', 'leases'),
  roles: grouped('rbac.authorization.k8s.io', 'v1', 'Role', 'roles'),
  roleBindings: grouped('rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings'),
  clusterRoles: grouped('rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles', false),
  clusterRoleBindings: grouped('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'clusterrolebindings', false),
  customResourceDefinitions: grouped('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', 'customresourcedefinitions', false),
  volumeSnapshots: grouped('snapshot.storage.k8s.io', 'v1', 'VolumeSnapshot', 'volumesnapshots'),
  volumeSnapshotContents: grouped('snapshot.storage.k8s.io', 'v1', 'VolumeSnapshotContent', 'volumesnapshotcontents', false),
  volumeSnapshotClasses: grouped('snapshot.storage.k8s.io', 'v1', 'VolumeSnapshotClass', 'volumesnapshotclasses', false),
  dataUploads: grouped('velero.io', 'v2alpha1', 'DataUpload', 'datauploads'),
  dataDownloads: grouped('velero.io', 'v2alpha1', 'DataDownload', 'datadownloads'),
  backupStorageLocations: grouped('velero.io', 'v1', 'BackupStorageLocation', 'backupstoragelocations'),
} as const satisfies Record<string, ResourceType>;

export interface ObjectRef {
  namespace?: string | undefined;
  name?: string | undefined;
  subresource?: string;
}

/** `apiVersion` as objects of the resource carry it: `v1`, `apps/v1`. */
export function apiVersionOf(resource: ResourceType): string {
  return resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
}

/** The REST path of a collection (no name) or one object, e.g. `/apis/velero.io/v2alpha1/namespaces/velero/datauploads/x`. */
export function resourcePath(resource: ResourceType, { namespace, name, subresource }: ObjectRef = {}): string {
  const base = resource.group === '' ? `/api/${resource.version}` : `/apis/${resource.group}/${resource.version}`;
  const ns = resource.namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const one = name === undefined ? '' : `/${encodeURIComponent(name)}`;
  const sub = subresource === undefined ? '' : `/${subresource}`;
  return `${base}${ns}/${resource.plural}${one}${sub}`;
}

/** How messages name an object: `configmaps "x"` plus ` in namespace velero` for namespaced ones. */
export function describeRef(resource: ResourceType, { namespace, name }: ObjectRef): string {
  const what = resource.group === '' ? resource.plural : `${resource.plural}.${resource.group}`;
  const named = name === undefined ? what : `${what} "${name}"`;
  return resource.namespaced && namespace !== undefined ? `${named} in namespace ${namespace}` : named;
}
