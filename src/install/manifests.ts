import { randomBytes } from 'node:crypto';
import type { BackupStorageLocation } from '../kube/crds.js';
import type { DaemonSet, Namespace, ObjectMeta, Secret } from '../kube/models.js';
import {
  DEFAULT_DATA_MOVER,
  LOCAL_OBJECT_STORE,
  NODE_AGENT_CONTAINER,
  NODE_AGENT_DAEMONSET,
  NODE_AGENT_POD_LABELS,
  REPOSITORY_SECRET,
  REPOSITORY_SECRET_KEY,
  SERVICE_ACCOUNT,
} from '../kube/velero.js';

/** Labels on everything `ferry install` creates, so it can be found (and later uninstalled). */
export const INSTALL_LABELS: Readonly<Record<string, string>> = { component: 'ferry' };

export interface NodeAgentDaemonSetOptions {
  namespace: string;
  image: string;
  nodeAgentConfigMap?: string | undefined;
  dataMoverName?: string | undefined;
  /** Passed on as `--data-mover-prepare-timeout` when set. */
  prepareTimeout?: string | undefined;
}

export function namespaceManifest(name: string): Namespace {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { ...INSTALL_LABELS } } };
}

export function serviceAccountManifest(namespace: string): { apiVersion: 'v1'; kind: 'ServiceAccount'; metadata: { name: string; namespace: string; labels: Record<string, string> } } {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: SERVICE_ACCOUNT, namespace, labels: { ...INSTALL_LABELS } } };
}

/** RBAC objects, which @kubernetes/client-node models as classes; only their shape matters here. */
export interface RbacManifest {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

const ALL = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
const READ = ['get', 'list', 'watch'];

/** What the node-agent and data movers do in the cluster, and nothing more (Velero binds cluster-admin). */
export function clusterRoleManifest(namespace: string): RbacManifest {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: `ferry-${namespace}`, labels: { ...INSTALL_LABELS } },
    rules: [
      { apiGroups: [''], resources: ['pods', 'persistentvolumeclaims', 'persistentvolumes', 'events'], verbs: ALL },
      { apiGroups: [''], resources: ['configmaps', 'secrets', 'nodes', 'namespaces'], verbs: READ },
      { apiGroups: ['apps'], resources: ['daemonsets'], verbs: READ },
      { apiGroups: ['storage.k8s.io'], resources: ['storageclasses', 'volumeattachments'], verbs: READ },
      { apiGroups: ['scheduling.k8s.io'], resources: ['priorityclasses'], verbs: READ },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ALL },
      { apiGroups: ['snapshot.storage.k8s.io'], resources: ['volumesnapshots', 'volumesnapshotcontents', 'volumesnapshotclasses'], verbs: ALL },
      { apiGroups: ['velero.io'], resources: ['datauploads', 'datadownloads', 'backupstoragelocations'], verbs: ALL },
    ],
  };
}

export function clusterRoleBindingManifest(namespace: string): RbacManifest {
  const name = `ferry-${namespace}`;
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name, labels: { ...INSTALL_LABELS } },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
    subjects: [{ kind: 'ServiceAccount', name: SERVICE_ACCOUNT, namespace }],
  };
}

/** The password of every repository of this install: random, and never replaced once it exists. */
export function repositorySecretManifest(namespace: string, password = randomBytes(32).toString('base64url')): Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: REPOSITORY_SECRET, namespace, labels: { ...INSTALL_LABELS } },
    type: 'Opaque',
    data: { [REPOSITORY_SECRET_KEY]: Buffer.from(password).toString('base64') },
  };
}

export interface LocalObjectStore {
  endpoint: string;
  bucket: string;
  region: string;
  forcePathStyle: boolean;
}

/** The `default` BackupStorageLocation for the local cluster's object store (as one points Velero at MinIO in kind). */
export function localBackupStorageLocation(namespace: string, store: LocalObjectStore): BackupStorageLocation {
  const metadata: ObjectMeta = { name: 'default', namespace, labels: { ...INSTALL_LABELS } };
  return {
    apiVersion: 'velero.io/v1',
    kind: 'BackupStorageLocation',
    metadata,
    spec: {
      provider: 'aws',
      objectStorage: { bucket: store.bucket },
      config: { region: store.region, s3ForcePathStyle: String(store.forcePathStyle), s3Url: store.endpoint },
      credential: { name: LOCAL_OBJECT_STORE, key: 'cloud' },
      default: true,
    },
  };
}

/** `node-agent server` plus the flags given; the pod learns its node and namespace from the downward API. */
export function nodeAgentArgs({ nodeAgentConfigMap, dataMoverName, prepareTimeout }: NodeAgentDaemonSetOptions): string[] {
  const args = ['node-agent', 'server'];
  if (nodeAgentConfigMap !== undefined && nodeAgentConfigMap !== '') args.push(`--node-agent-configmap=${nodeAgentConfigMap}`);
  if (dataMoverName !== undefined && dataMoverName !== DEFAULT_DATA_MOVER) args.push(`--datamover-name=${dataMoverName}`);
  if (prepareTimeout !== undefined) args.push(`--data-mover-prepare-timeout=${prepareTimeout}`);
  return args;
}

export function nodeAgentDaemonSet(options: NodeAgentDaemonSetOptions): DaemonSet {
  const { namespace, image } = options;
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: NODE_AGENT_DAEMONSET, namespace, labels: { ...INSTALL_LABELS } },
    spec: {
      selector: { matchLabels: { name: NODE_AGENT_DAEMONSET } },
      template: {
        metadata: { labels: { ...NODE_AGENT_POD_LABELS } },
        spec: {
          serviceAccountName: SERVICE_ACCOUNT,
          containers: [
            {
              name: NODE_AGENT_CONTAINER,
              image,
              imagePullPolicy: 'IfNotPresent',
              args: nodeAgentArgs(options),
              env: [
                { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
                { name: 'VELERO_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
              ],
              ports: [{ name: 'metrics', containerPort: 8085 }],
              readinessProbe: { httpGet: { path: '/healthz', port: 'metrics' }, periodSeconds: 10 },
            },
          ],
        },
      },
    },
  };
}
