/**
 * CSI snapshot objects (`snapshot.storage.k8s.io/v1`, as external-snapshotter defines them): only the fields Ferry
 * reads or writes. @kubernetes/client-node has no models for them.
 */
import type { ObjectMeta } from './models.js';

export const SNAPSHOT_GROUP = 'snapshot.storage.k8s.io';
export const SNAPSHOT_VERSION = 'v1';
export const SNAPSHOT_API_VERSION = `${SNAPSHOT_GROUP}/${SNAPSHOT_VERSION}` as const;
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
    sourceVolumeMode?: string;
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

/**
 * An object as a controller watching every namespace sees it: users write these objects too, so any field of it may
 * be missing (its metadata keeps the API's shape). The local cluster's CSI driver reads them this way; Ferry's exposer
 * reads the ones it wrote.
 */
export type Observed<T> = { [K in keyof T]?: K extends 'metadata' ? T[K] : Optional<T[K]> };
/** Deeply optional, except in arrays and maps, whose entries are whole when present. */
type Optional<T> = T extends readonly unknown[] ? T : T extends object ? (string extends keyof T ? T : { [K in keyof T]?: Optional<T[K]> }) : T;
