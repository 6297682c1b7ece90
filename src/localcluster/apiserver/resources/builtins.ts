/**
 * The built-in resources this server serves: the core, apps, storage, coordination, RBAC, scheduling, events and
 * apiextensions kinds that Ferry, Velero and kubectl touch. Snapshot kinds are CRDs in a real cluster and are
 * pre-installed as CRDs here (see crd/preinstalled.ts).
 */
import { defaultNamespace, defaultSecret, initialNamespaceStatus, namespaceFinalizers, startNamespaceDeletion, validateConfigMap, validateSecret } from '../kinds/config.js';
import { eventFromCore, eventToCore } from '../kinds/events.js';
import { defaultPod, initialPodStatus, podGracePeriodSeconds } from '../kinds/pod.js';
import {
  admitPersistentVolumeClaim,
  defaultCSIDriver,
  defaultPersistentVolume,
  defaultPersistentVolumeClaim,
  defaultStorageClass,
  initialClaimStatus,
  initialVolumeStatus,
  stampPhaseTransition,
  validatePersistentVolume,
  validatePersistentVolumeClaim,
  validateStorageClass,
} from '../kinds/storage.js';
import { defaultDaemonSet, defaultDeployment, initialDaemonSetStatus, validateDaemonSet, validateDeployment } from '../kinds/workloads.js';
import { validatePod } from '../validation/pod.js';
import { configMapTable, createdAtTable, eventTable, leaseTable, namespaceTable, priorityClassTable, roleBindingTable, secretTable, serviceAccountTable } from '../tables/other.js';
import { csiDriverTable, csiNodeTable, persistentVolumeClaimTable, persistentVolumeTable, storageClassTable, volumeAttachmentTable } from '../tables/storage.js';
import { controllerRevisionTable, daemonSetTable, deploymentTable, nodeTable, podTable, replicaSetTable } from '../tables/workloads.js';
import type { ResourceType } from '../types.js';
import { defineResource } from './define.js';
import { keepStoredMetadata } from '../ops/status.js';
import { crdBehavior } from '../crd/behavior.js';

const core = { group: '', version: 'v1' };

const EVENT_FIELDS = [
  'involvedObject.kind',
  'involvedObject.namespace',
  'involvedObject.name',
  'involvedObject.uid',
  'involvedObject.apiVersion',
  'involvedObject.resourceVersion',
  'involvedObject.fieldPath',
  'reason',
  'reportingComponent',
  'source',
  'type',
];

export const BUILTIN_RESOURCES: readonly ResourceType[] = [
  defineResource({
    ...core,
    kind: 'Namespace',
    plural: 'namespaces',
    namespaced: false,
    shortNames: ['ns'],
    subresources: ['status', 'finalize'],
    behavior: {
      nameRule: 'label',
      table: namespaceTable,
      selectableFields: ['status.phase'],
      defaults: defaultNamespace,
      initialStatus: initialNamespaceStatus,
      extraFinalizers: namespaceFinalizers,
      onDeletionStart: startNamespaceDeletion,
    },
  }),
  defineResource({
    ...core,
    kind: 'Node',
    plural: 'nodes',
    namespaced: false,
    shortNames: ['no'],
    subresources: ['status'],
    behavior: { table: nodeTable, keepsStatusOnCreate: true, selectableFields: ['spec.unschedulable'] },
  }),
  defineResource({
    ...core,
    kind: 'Pod',
    plural: 'pods',
    namespaced: true,
    shortNames: ['po'],
    categories: ['all'],
    subresources: ['status', 'binding', 'log'],
    behavior: {
      table: podTable,
      returnsDeletedObject: true,
      selectableFields: [
        'spec.nodeName',
        'spec.restartPolicy',
        'spec.schedulerName',
        'spec.serviceAccountName',
        'spec.hostNetwork',
        'status.phase',
        'status.podIP',
        'status.nominatedNodeName',
      ],
      defaults: defaultPod,
      initialStatus: initialPodStatus,
      // Old kubelets corrupted owner references through pods/status, breaking garbage collection.
      prepareStatusUpdate: keepStoredMetadata('ownerReferences'),
      validate: validatePod,
      gracePeriodSeconds: podGracePeriodSeconds,
    },
  }),
  defineResource({ ...core, kind: 'ConfigMap', plural: 'configmaps', namespaced: true, shortNames: ['cm'], behavior: { table: configMapTable, validate: validateConfigMap } }),
  defineResource({
    ...core,
    kind: 'Secret',
    plural: 'secrets',
    namespaced: true,
    behavior: { table: secretTable, selectableFields: ['type'], defaults: defaultSecret, validate: validateSecret },
  }),
  defineResource({ ...core, kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true, shortNames: ['sa'], subresources: ['token'], behavior: { table: serviceAccountTable } }),
  defineResource({
    ...core,
    kind: 'Event',
    plural: 'events',
    namespaced: true,
    shortNames: ['ev'],
    storageKey: 'events',
    behavior: { table: eventTable, selectableFields: EVENT_FIELDS },
  }),
  defineResource({
    ...core,
    kind: 'PersistentVolume',
    plural: 'persistentvolumes',
    namespaced: false,
    shortNames: ['pv'],
    subresources: ['status'],
    behavior: {
      table: persistentVolumeTable,
      returnsDeletedObject: true,
      defaults: defaultPersistentVolume,
      initialStatus: initialVolumeStatus,
      prepareStatusUpdate: stampPhaseTransition,
      validate: validatePersistentVolume,
    },
  }),
  defineResource({
    ...core,
    kind: 'PersistentVolumeClaim',
    plural: 'persistentvolumeclaims',
    namespaced: true,
    shortNames: ['pvc'],
    subresources: ['status'],
    behavior: {
      table: persistentVolumeClaimTable,
      returnsDeletedObject: true,
      defaults: defaultPersistentVolumeClaim,
      admitOnCreate: admitPersistentVolumeClaim,
      initialStatus: initialClaimStatus,
      validate: validatePersistentVolumeClaim,
    },
  }),
  defineResource({
    group: 'apps',
    version: 'v1',
    kind: 'DaemonSet',
    plural: 'daemonsets',
    namespaced: true,
    shortNames: ['ds'],
    categories: ['all'],
    subresources: ['status'],
    behavior: { table: daemonSetTable, tracksGeneration: true, defaults: defaultDaemonSet, initialStatus: initialDaemonSetStatus, validate: validateDaemonSet },
  }),
  defineResource({
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
    plural: 'deployments',
    namespaced: true,
    shortNames: ['deploy'],
    categories: ['all'],
    subresources: ['status'],
    behavior: {
      table: deploymentTable,
      tracksGeneration: true,
      defaults: defaultDeployment,
      initialStatus: () => ({}),
      prepareStatusUpdate: keepStoredMetadata('labels'),
      validate: validateDeployment,
    },
  }),
  defineResource({
    group: 'apps',
    version: 'v1',
    kind: 'ReplicaSet',
    plural: 'replicasets',
    namespaced: true,
    shortNames: ['rs'],
    categories: ['all'],
    subresources: ['status'],
    behavior: { table: replicaSetTable, tracksGeneration: true, initialStatus: () => ({ replicas: 0 }), prepareStatusUpdate: keepStoredMetadata('labels') },
  }),
  defineResource({
    group: 'apps',
    version: 'v1',
    kind: 'ControllerRevision',
    plural: 'controllerrevisions',
    namespaced: true,
    behavior: { table: controllerRevisionTable },
  }),
  defineResource({
    group: 'storage.k8s.io',
    version: 'v1',
    kind: 'StorageClass',
    plural: 'storageclasses',
    namespaced: false,
    shortNames: ['sc'],
    behavior: { table: storageClassTable, defaults: defaultStorageClass, validate: validateStorageClass },
  }),
  defineResource({
    group: 'storage.k8s.io',
    version: 'v1',
    kind: 'VolumeAttachment',
    plural: 'volumeattachments',
    namespaced: false,
    subresources: ['status'],
    behavior: {
      table: volumeAttachmentTable,
      initialStatus: () => ({ attached: false }),
      // metav1.ResetObjectMetaForStatus: the external attacher may not touch the metadata through the status.
      prepareStatusUpdate: keepStoredMetadata('labels', 'annotations', 'finalizers', 'ownerReferences'),
    },
  }),
  defineResource({
    group: 'storage.k8s.io',
    version: 'v1',
    kind: 'CSIDriver',
    plural: 'csidrivers',
    namespaced: false,
    behavior: { table: csiDriverTable, defaults: defaultCSIDriver },
  }),
  defineResource({ group: 'storage.k8s.io', version: 'v1', kind: 'CSINode', plural: 'csinodes', namespaced: false, behavior: { table: csiNodeTable } }),
  defineResource({ group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', namespaced: true, behavior: { table: leaseTable } }),
  // Answered at once (handlers/reviews.ts) and never stored.
  defineResource({ group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectAccessReview', plural: 'selfsubjectaccessreviews', namespaced: false, verbs: ['create'] }),
  defineResource({ group: 'authentication.k8s.io', version: 'v1', kind: 'SelfSubjectReview', plural: 'selfsubjectreviews', namespaced: false, verbs: ['create'] }),
  ...(['Role', 'ClusterRole'] as const).map((kind) =>
    defineResource({
      group: 'rbac.authorization.k8s.io',
      version: 'v1',
      kind,
      plural: `${kind.toLowerCase()}s`,
      namespaced: kind === 'Role',
      behavior: { table: createdAtTable, nameRule: 'pathSegment' },
    }),
  ),
  ...(['RoleBinding', 'ClusterRoleBinding'] as const).map((kind) =>
    defineResource({
      group: 'rbac.authorization.k8s.io',
      version: 'v1',
      kind,
      plural: `${kind.toLowerCase()}s`,
      namespaced: kind === 'RoleBinding',
      behavior: { table: roleBindingTable, nameRule: 'pathSegment' },
    }),
  ),
  defineResource({
    group: 'scheduling.k8s.io',
    version: 'v1',
    kind: 'PriorityClass',
    plural: 'priorityclasses',
    namespaced: false,
    shortNames: ['pc'],
    behavior: {
      table: priorityClassTable,
      defaults: (pc) => {
        pc['preemptionPolicy'] ??= 'PreemptLowerPriority';
      },
    },
  }),
  defineResource({
    group: 'events.k8s.io',
    version: 'v1',
    kind: 'Event',
    plural: 'events',
    namespaced: true,
    shortNames: ['ev'],
    storageKey: 'events',
    fromStorage: eventFromCore,
    toStorage: eventToCore,
    behavior: {
      table: { columns: eventTable.columns, cells: (obj, now) => eventTable.cells(eventToCore(obj), now) },
      selectableFields: EVENT_FIELDS,
    },
  }),
  defineResource({
    group: 'apiextensions.k8s.io',
    version: 'v1',
    kind: 'CustomResourceDefinition',
    plural: 'customresourcedefinitions',
    namespaced: false,
    shortNames: ['crd', 'crds'],
    categories: ['api-extensions'],
    subresources: ['status'],
    behavior: { ...crdBehavior, table: createdAtTable },
  }),
];
