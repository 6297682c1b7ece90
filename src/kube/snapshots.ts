/**
 * CSI snapshot objects (`snapshot.storage.k8s.io/v1`, as external-snapshotter defines them): only the fields Ferry
 * reads or writes. @kubernetes/client-node has no models for them.
 */
import type { ObjectMeta } from './models.js';

export const SNAPSHOT_API_VERSION = 'snapshot.storage.k8s.io/v1';
export const DEFAULT_SNAPSHOT_CLASS_ANNOTATION = 'snapshot.storage.kubernetes.io/is-default-class';

export interface VolumeSnapshot {
  apiVersion: typeof SNAPSHOT_API_VERSION;
  kind: 'VolumeSnapshot';
  metadata: ObjectMeta;
  spec: {
    source: { persistentVolumeClaimName?: string; volumeSnapshotContentName?: string };
    volumeSnapshotClassName?: string;
  };
  status?: {
    boundVolumeSnapshotContentName?: string;
    readyToUse?: boolean;
    restoreSize?: string;
    creationTime?: string;
    error?: { message?: string; time?: string };
  };
}

export interface VolumeSnapshotContent {
  apiVersion: typeof SNAPSHOT_API_VERSION;
  kind: 'VolumeSnapshotContent';
  metadata: ObjectMeta;
  spec: {
    volumeSnapshotRef: { name: string; namespace: string; kind?: string; apiVersion?: string; uid?: string };
    source: { snapshotHandle?: string; volumeHandle?: string };
    driver: string;
    deletionPolicy: 'Delete' | 'Retain';
    volumeSnapshotClassName?: string;
  };
  status?: {
    snapshotHandle?: string;
    readyToUse?: boolean;
    /** Bytes, as a number (unlike the VolumeSnapshot's quantity string). */
    restoreSize?: number;
    creationTime?: number;
    error?: { message?: string };
  };
}

export interface VolumeSnapshotClass {
  apiVersion: typeof SNAPSHOT_API_VERSION;
  kind: 'VolumeSnapshotClass';
  metadata: ObjectMeta;
  driver: string;
  deletionPolicy: 'Delete' | 'Retain';
  parameters?: Record<string, string>;
}
