/**
 * The CSI snapshot CRDs (snapshot.storage.k8s.io/v1, as external-snapshotter v8 installs them) that a cluster with
 * a snapshot-capable CSI driver has. Their schemas here keep spec and status open (`x-kubernetes-preserve-unknown-
 * fields`) but keep the printer columns, short names, scopes and status subresources of the real ones.
 */
import type { KubeObject } from '../types.js';

interface Column {
  name: string;
  type: string;
  format?: string;
  jsonPath: string;
  description: string;
}

function column(name: string, jsonPath: string, description: string, type = 'string', format?: string): Column {
  return { name, type, ...(format === undefined ? {} : { format }), jsonPath, description };
}

const AGE = column('Age', '.metadata.creationTimestamp', 'Time since the object was created.', 'date');
const READY_TO_USE = column('ReadyToUse', '.status.readyToUse', 'Indicates if the snapshot is ready to be used to restore a volume.', 'boolean');
const OPEN_OBJECT = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

interface Schema {
  /** Whether the CRD has the status subresource. */
  status: boolean;
  required: string[];
  properties: Record<string, unknown>;
}

/** VolumeSnapshots and their contents: an open spec and status, the status written through its subresource. */
const SPEC_AND_STATUS: Schema = { status: true, required: ['spec'], properties: { spec: OPEN_OBJECT, status: OPEN_OBJECT } };

/** One CRD; every kind lists its own printer columns, then Age. */
function snapshotCrd(kind: string, plural: string, shortNames: string[], scope: 'Namespaced' | 'Cluster', schema: Schema, columns: Column[]): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.snapshot.storage.k8s.io`, annotations: { 'api-approved.kubernetes.io': 'https://github.com/kubernetes-csi/external-snapshotter/pull/814' } },
    spec: {
      group: 'snapshot.storage.k8s.io',
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase(), shortNames },
      scope,
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          additionalPrinterColumns: [...columns, AGE],
          schema: {
            openAPIV3Schema: {
              type: 'object',
              required: schema.required,
              properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, ...schema.properties },
            },
          },
          ...(schema.status ? { subresources: { status: {} } } : {}),
        },
      ],
    },
  };
}

export const SNAPSHOT_CRDS: readonly KubeObject[] = [
  snapshotCrd('VolumeSnapshot', 'volumesnapshots', ['vs'], 'Namespaced', SPEC_AND_STATUS, [
    READY_TO_USE,
    column('SourcePVC', '.spec.source.persistentVolumeClaimName', 'If a new snapshot needs to be created, this contains the name of the source PVC from which this snapshot was (or will be) created.'),
    column('SourceSnapshotContent', '.spec.source.volumeSnapshotContentName', 'If a snapshot already exists, this contains the name of the existing VolumeSnapshotContent object representing the existing snapshot.'),
    column('RestoreSize', '.status.restoreSize', 'Represents the minimum size of volume required to rehydrate from this snapshot.'),
    column('SnapshotClass', '.spec.volumeSnapshotClassName', 'The name of the VolumeSnapshotClass requested by the VolumeSnapshot.'),
    column('SnapshotContent', '.status.boundVolumeSnapshotContentName', 'Name of the VolumeSnapshotContent object to which the VolumeSnapshot object intends to bind to.'),
    column('CreationTime', '.status.creationTime', 'Timestamp when the point-in-time snapshot was taken by the underlying storage system.', 'date'),
  ]),
  snapshotCrd('VolumeSnapshotContent', 'volumesnapshotcontents', ['vsc', 'vscs'], 'Cluster', SPEC_AND_STATUS, [
    READY_TO_USE,
    column('RestoreSize', '.status.restoreSize', 'Represents the complete size of the snapshot in bytes', 'integer', 'int64'),
    column('DeletionPolicy', '.spec.deletionPolicy', 'Determines whether this VolumeSnapshotContent and its physical snapshot on the underlying storage system should be deleted when its bound VolumeSnapshot is deleted.'),
    column('Driver', '.spec.driver', 'Name of the CSI driver used to create the physical snapshot on the underlying storage system.'),
    column('VolumeSnapshotClass', '.spec.volumeSnapshotClassName', 'Name of the VolumeSnapshotClass to which this snapshot belongs.'),
    column('VolumeSnapshot', '.spec.volumeSnapshotRef.name', 'Name of the VolumeSnapshot object to which this VolumeSnapshotContent object is bound.'),
    column('VolumeSnapshotNamespace', '.spec.volumeSnapshotRef.namespace', 'Namespace of the VolumeSnapshot object to which this VolumeSnapshotContent object is bound.'),
  ]),
  snapshotCrd(
    'VolumeSnapshotClass',
    'volumesnapshotclasses',
    ['vsclass', 'vsclasses'],
    'Cluster',
    {
      status: false,
      required: ['deletionPolicy', 'driver'],
      properties: {
        driver: { type: 'string' },
        deletionPolicy: { type: 'string', enum: ['Delete', 'Retain'] },
        parameters: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
    [
      column('Driver', '.driver', 'The name of the CSI driver.'),
      column('DeletionPolicy', '.deletionPolicy', 'Determines whether a VolumeSnapshotContent created through the VolumeSnapshotClass should be deleted when its bound VolumeSnapshot is deleted.'),
    ],
  ),
];
