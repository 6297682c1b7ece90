/**
 * The CSI snapshot CRDs (snapshot.storage.k8s.io/v1, as external-snapshotter v8 installs them) that a cluster with
 * a snapshot-capable CSI driver has. Their schemas here keep spec and status open (`x-kubernetes-preserve-unknown-
 * fields`) but keep the printer columns, short names, scopes and status subresources of the real ones.
 */
import type { KubeObject } from '../types.js';

interface Column {
  name: string;
  type: string;
  jsonPath: string;
  description: string;
  format?: string;
}

const AGE: Column = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Time since the object was created.' };
const OPEN_OBJECT = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

function snapshotCrd(opts: {
  kind: string;
  plural: string;
  shortNames: string[];
  scope: 'Namespaced' | 'Cluster';
  columns: Column[];
  status: boolean;
  properties: Record<string, unknown>;
  required: string[];
}): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${opts.plural}.snapshot.storage.k8s.io`, annotations: { 'api-approved.kubernetes.io': 'https://github.com/kubernetes-csi/external-snapshotter/pull/814' } },
    spec: {
      group: 'snapshot.storage.k8s.io',
      names: { kind: opts.kind, listKind: `${opts.kind}List`, plural: opts.plural, singular: opts.kind.toLowerCase(), shortNames: opts.shortNames },
      scope: opts.scope,
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          additionalPrinterColumns: opts.columns,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              required: opts.required,
              properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, ...opts.properties },
            },
          },
          ...(opts.status ? { subresources: { status: {} } } : {}),
        },
      ],
    },
  };
}

export const SNAPSHOT_CRDS: readonly KubeObject[] = [
  snapshotCrd({
    kind: 'VolumeSnapshot',
    plural: 'volumesnapshots',
    shortNames: ['vs'],
    scope: 'Namespaced',
    status: true,
    required: ['spec'],
    properties: { spec: OPEN_OBJECT, status: OPEN_OBJECT },
    columns: [
      { name: 'ReadyToUse', type: 'boolean', jsonPath: '.status.readyToUse', description: 'Indicates if the snapshot is ready to be used to restore a volume.' },
      { name: 'SourcePVC', type: 'string', jsonPath: '.spec.source.persistentVolumeClaimName', description: 'If a new snapshot needs to be created, this contains the name of the source PVC from which this snapshot was (or will be) created.' },
      { name: 'SourceSnapshotContent', type: 'string', jsonPath: '.spec.source.volumeSnapshotContentName', description: 'If a snapshot already exists, this contains the name of the existing VolumeSnapshotContent object representing the existing snapshot.' },
      { name: 'RestoreSize', type: 'string', jsonPath: '.status.restoreSize', description: 'Represents the minimum size of volume required to rehydrate from this snapshot.' },
      { name: 'SnapshotClass', type: 'string', jsonPath: '.spec.volumeSnapshotClassName', description: 'The name of the VolumeSnapshotClass requested by the VolumeSnapshot.' },
      { name: 'SnapshotContent', type: 'string', jsonPath: '.status.boundVolumeSnapshotContentName', description: 'Name of the VolumeSnapshotContent object to which the VolumeSnapshot object intends to bind to.' },
      { name: 'CreationTime', type: 'date', jsonPath: '.status.creationTime', description: 'Timestamp when the point-in-time snapshot was taken by the underlying storage system.' },
      AGE,
    ],
  }),
  snapshotCrd({
    kind: 'VolumeSnapshotContent',
    plural: 'volumesnapshotcontents',
    shortNames: ['vsc', 'vscs'],
    scope: 'Cluster',
    status: true,
    required: ['spec'],
    properties: { spec: OPEN_OBJECT, status: OPEN_OBJECT },
    columns: [
      { name: 'ReadyToUse', type: 'boolean', jsonPath: '.status.readyToUse', description: 'Indicates if the snapshot is ready to be used to restore a volume.' },
      { name: 'RestoreSize', type: 'integer', format: 'int64', jsonPath: '.status.restoreSize', description: 'Represents the complete size of the snapshot in bytes' },
      { name: 'DeletionPolicy', type: 'string', jsonPath: '.spec.deletionPolicy', description: 'Determines whether this VolumeSnapshotContent and its physical snapshot on the underlying storage system should be deleted when its bound VolumeSnapshot is deleted.' },
      { name: 'Driver', type: 'string', jsonPath: '.spec.driver', description: 'Name of the CSI driver used to create the physical snapshot on the underlying storage system.' },
      { name: 'VolumeSnapshotClass', type: 'string', jsonPath: '.spec.volumeSnapshotClassName', description: 'Name of the VolumeSnapshotClass to which this snapshot belongs.' },
      { name: 'VolumeSnapshot', type: 'string', jsonPath: '.spec.volumeSnapshotRef.name', description: 'Name of the VolumeSnapshot object to which this VolumeSnapshotContent object is bound.' },
      { name: 'VolumeSnapshotNamespace', type: 'string', jsonPath: '.spec.volumeSnapshotRef.namespace', description: 'Namespace of the VolumeSnapshot object to which this VolumeSnapshotContent object is bound.' },
      AGE,
    ],
  }),
  snapshotCrd({
    kind: 'VolumeSnapshotClass',
    plural: 'volumesnapshotclasses',
    shortNames: ['vsclass', 'vsclasses'],
    scope: 'Cluster',
    status: false,
    required: ['deletionPolicy', 'driver'],
    properties: {
      driver: { type: 'string' },
      deletionPolicy: { type: 'string', enum: ['Delete', 'Retain'] },
      parameters: { type: 'object', additionalProperties: { type: 'string' } },
    },
    columns: [
      { name: 'Driver', type: 'string', jsonPath: '.driver', description: 'The name of the CSI driver.' },
      { name: 'DeletionPolicy', type: 'string', jsonPath: '.deletionPolicy', description: 'Determines whether a VolumeSnapshotContent created through the VolumeSnapshotClass should be deleted when its bound VolumeSnapshot is deleted.' },
      AGE,
    ],
  }),
];
