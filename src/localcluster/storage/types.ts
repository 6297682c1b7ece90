/**
 * The CSI snapshot objects (snapshot.storage.k8s.io/v1) as JSON: client-node has no types for CRDs. Only the fields
 * the driver reads and writes; VolumeSnapshotContent times and sizes are int64 (nanoseconds, bytes) while the
 * VolumeSnapshot shows a timestamp and a quantity, as external-snapshotter defines them.
 */
import type { KubernetesObject } from '@kubernetes/client-node';

export const SNAPSHOT_GROUP = 'snapshot.storage.k8s.io';
export const SNAPSHOT_VERSION = 'v1';
export const SNAPSHOT_API_VERSION = `${SNAPSHOT_GROUP}/${SNAPSHOT_VERSION}`;

interface Meta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  annotations?: Record<string, string>;
}

export interface SnapshotError {
  message?: string;
  time?: string;
}

export interface VolumeSnapshot extends KubernetesObject {
  metadata?: Meta;
  spec?: {
    source?: { persistentVolumeClaimName?: string; volumeSnapshotContentName?: string };
    volumeSnapshotClassName?: string;
  };
  status?: {
    boundVolumeSnapshotContentName?: string;
    readyToUse?: boolean;
    restoreSize?: string;
    creationTime?: string;
    error?: SnapshotError;
  };
}

export interface VolumeSnapshotContent extends KubernetesObject {
  metadata?: Meta;
  spec?: {
    driver?: string;
    deletionPolicy?: 'Delete' | 'Retain';
    source?: { volumeHandle?: string; snapshotHandle?: string };
    volumeSnapshotRef?: { kind?: string; apiVersion?: string; name?: string; namespace?: string; uid?: string };
    volumeSnapshotClassName?: string;
    sourceVolumeMode?: string;
  };
  status?: {
    snapshotHandle?: string;
    readyToUse?: boolean;
    restoreSize?: number;
    creationTime?: number;
    error?: SnapshotError;
  };
}

export interface VolumeSnapshotClass extends KubernetesObject {
  metadata?: Meta;
  driver?: string;
  deletionPolicy?: 'Delete' | 'Retain';
}
