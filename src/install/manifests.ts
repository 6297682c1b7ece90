import { randomBytes } from 'node:crypto';
import type { BackupStorageLocation } from '../kube/crds.js';
import type { DaemonSet, Namespace, ObjectMeta, ResourceRequirements, Secret, Toleration } from '../kube/models.js';
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
import { CONFIG_HASH_ANNOTATION } from './config-hash.js';

/** Labels on everything `ferry install` creates, so it can be found (and later uninstalled). */
export const INSTALL_LABELS: Readonly<Record<string, string>> = { component: 'ferry' };

export interface NodeAgentDaemonSetOptions {
  namespace: string;
  image: string;
  nodeAgentConfigMap?: string | undefined;
  dataMoverName?: string | undefined;
  /** Passed on as `--data-mover-prepare-timeout` when set. */
  prepareTimeout?: string | undefined;
  /** Hash of the node-agent config, in the pod template so that `ferry config get` can tell what each pod loaded. */
  configHash?: string | undefined;
  resources?: ResourceRequirements | undefined;
  tolerations?: Toleration[] | undefined;
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

const READ = ['get', 'list', 'watch'];
const RBAC_API = 'rbac.authorization.k8s.io/v1';

/** The ClusterRole and its binding: `ferry-<namespace>`, so installs in several namespaces do not collide. */
export function clusterRbacName(namespace: string): string {
  return `ferry-${namespace}`;
}

/** The Role and RoleBinding in the install namespace. */
export const NAMESPACE_RBAC_NAME = 'ferry';

/**
 * What the node-agent and data movers do outside the install namespace, and nothing more (Velero binds
 * cluster-admin): cluster-scoped objects, and reading the workload's PVCs and VolumeSnapshots wherever they are. Each
 * rule names the code that needs its verbs. Everything else happens in the install namespace ({@link roleManifest}).
 * The local cluster enforces these rules (docs/local-cluster.md, "Authentication and RBAC"), so the end-to-end tests
 * fail when one is missing.
 */
export function clusterRoleManifest(namespace: string): RbacManifest {
  return {
    apiVersion: RBAC_API,
    kind: 'ClusterRole',
    metadata: { name: clusterRbacName(namespace), labels: { ...INSTALL_LABELS } },
    rules: [
      // get: exposer/csi-snapshot.ts (the source PVC, in the workload's namespace), exposer/restore.ts (the target
      // PVC's storage class and binding, in the workload's namespace), owned.ts (the backup and restore PVCs in the
      // install namespace, before a delete). Never listed or watched.
      { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['get'] },
      // get: exposer/topology.ts, restore.ts, owned.ts; patch: reclaim policy and claimRef when rebinding the restored
      // volume to the target PVC (exposer/restore.ts) and the reclaim policy on clean-up (exposer/owned.ts).
      { apiGroups: [''], resources: ['persistentvolumes'], verbs: ['get', 'patch'] },
      // get: nodeagent/server.ts (its own node); list: the exposers' placement diagnosis (csi-snapshot.ts, restore.ts).
      { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list'] },
      // exposer/topology.ts, exposer/restore.ts: binding mode and provisioner of classes.
      { apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], verbs: ['get'] },
      // nodeagent/server.ts: the data-mover pods' priority class must exist.
      { apiGroups: ['scheduling.k8s.io'], resources: ['priorityclasses'], verbs: ['get'] },
      // get: exposer/csi-snapshot.ts waits for the backup's VolumeSnapshot in the workload's namespace to be ready,
      // and owned.ts reads the clone in the install namespace before deleting it.
      { apiGroups: ['snapshot.storage.k8s.io'], resources: ['volumesnapshots'], verbs: ['get'] },
      // exposer/csi-snapshot.ts: reads the backup snapshot's content and creates (owned.ts: reads, then deletes) the
      // content of its clone; contents are cluster-scoped.
      { apiGroups: ['snapshot.storage.k8s.io'], resources: ['volumesnapshotcontents'], verbs: ['get', 'create', 'delete'] },
    ],
  };
}

/**
 * What happens only in the install namespace, where the node-agent's informers list and watch
 * (`src/controller/controller.ts`: DataUploads, DataDownloads and data-mover pods of `VELERO_NAMESPACE`) and where
 * the exposers create the objects of a data movement.
 */
export function roleManifest(namespace: string): RbacManifest {
  return {
    apiVersion: RBAC_API,
    kind: 'Role',
    metadata: { name: NAMESPACE_RBAC_NAME, namespace, labels: { ...INSTALL_LABELS } },
    rules: [
      // read: controller.ts (data-mover pod informer), exposer/node-agents.ts (node-agent pods), owned.ts (before a
      // delete), nodeagent/report.ts (its own pod); create: the exposers (csi-snapshot.ts, restore.ts) start
      // data-mover pods; delete: controller.ts and exposer clean-up (owned.ts); patch: nodeagent/report.ts writes
      // the loaded config's hash on the node-agent's own pod (ferry config get).
      { apiGroups: [''], resources: ['pods'], verbs: [...READ, 'create', 'delete', 'patch'] },
      // create: the backup PVC from the snapshot clone (csi-snapshot.ts) and the restore PVC (restore.ts); delete:
      // their clean-up (owned.ts) and the restore PVC when its volume is handed to the target (restore.ts). Reading
      // them is the ClusterRole's get.
      { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['create', 'delete'] },
      // configmaps: nodeagent/config.ts reads the node-agent ConfigMap; secrets: datamover/location.ts reads the
      // BSL credentials and the repository password. Both live in the install namespace.
      { apiGroups: [''], resources: ['configmaps', 'secrets'], verbs: ['get'] },
      // exposer/inherited.ts: data-mover pods inherit the node-agent DaemonSet's image, env and tolerations.
      { apiGroups: ['apps'], resources: ['daemonsets'], verbs: ['get'] },
      // datamover/repository.ts: one initialiser per repository (a Lease created, read when taken, deleted when done
      // or stale).
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'delete'] },
      // exposer/csi-snapshot.ts: the clone of the backup's snapshot, created here and deleted on clean-up (owned.ts).
      { apiGroups: ['snapshot.storage.k8s.io'], resources: ['volumesnapshots'], verbs: ['create', 'delete'] },
      // controller/dataupload.ts, controller/datadownload.ts (informers; phase and progress via get and update in
      // controller.ts, get and patch in datamover/backup.ts and datamover/restore.ts).
      { apiGroups: ['velero.io'], resources: ['datauploads', 'datadownloads'], verbs: [...READ, 'update', 'patch'] },
      // datamover/location.ts: the BackupStorageLocation the data goes to.
      { apiGroups: ['velero.io'], resources: ['backupstoragelocations'], verbs: ['get'] },
    ],
  };
}

const subjects = (namespace: string): { kind: string; name: string; namespace: string }[] => [{ kind: 'ServiceAccount', name: SERVICE_ACCOUNT, namespace }];

export function clusterRoleBindingManifest(namespace: string): RbacManifest {
  const name = clusterRbacName(namespace);
  return {
    apiVersion: RBAC_API,
    kind: 'ClusterRoleBinding',
    metadata: { name, labels: { ...INSTALL_LABELS } },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
    subjects: subjects(namespace),
  };
}

export function roleBindingManifest(namespace: string): RbacManifest {
  return {
    apiVersion: RBAC_API,
    kind: 'RoleBinding',
    metadata: { name: NAMESPACE_RBAC_NAME, namespace, labels: { ...INSTALL_LABELS } },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: NAMESPACE_RBAC_NAME },
    subjects: subjects(namespace),
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
        metadata: {
          labels: { ...NODE_AGENT_POD_LABELS },
          ...(options.configHash === undefined ? {} : { annotations: { [CONFIG_HASH_ANNOTATION]: options.configHash } }),
        },
        spec: {
          serviceAccountName: SERVICE_ACCOUNT,
          ...(options.tolerations === undefined || options.tolerations.length === 0 ? {} : { tolerations: options.tolerations }),
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
              ...(options.resources === undefined ? {} : { resources: options.resources }),
            },
          ],
        },
      },
    },
  };
}
