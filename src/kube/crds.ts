/**
 * @module kube/crds
 * Velero's custom resources that Ferry reads and writes: DataUpload and DataDownload (`velero.io/v2alpha1`) and
 * BackupStorageLocation (`velero.io/v1`). The types follow Velero's published CRDs field for field, so Velero reads
 * what Ferry writes and Ferry reads what Velero writes; the CRD manifests themselves are Velero's, shipped in
 * `crds/` and applied by `ferry install` only where absent.
 */
import { readFileSync } from 'node:fs';
import type { V1CustomResourceDefinition, V1ObjectMeta } from '@kubernetes/client-node';
import { parse } from 'yaml';

export const VELERO_GROUP = 'velero.io';
export const DATA_MOVER_VERSION = 'v2alpha1';
export const BSL_VERSION = 'v1';

/** The finalizer Velero's node-agent puts on DataUploads/DataDownloads it handles; Ferry uses the same one. */
export const DATA_UPLOAD_DOWNLOAD_FINALIZER = 'velero.io/data-upload-download-finalizer';

export const DATA_MOVEMENT_PHASES = ['New', 'Accepted', 'Prepared', 'InProgress', 'Canceling', 'Canceled', 'Completed', 'Failed'] as const;
export type DataMovementPhase = (typeof DATA_MOVEMENT_PHASES)[number];

export function isFinalPhase(phase: DataMovementPhase | undefined): boolean {
  return phase === 'Completed' || phase === 'Failed' || phase === 'Canceled';
}

export interface DataMovementProgress {
  totalBytes?: number;
  bytesDone?: number;
}

export interface CSISnapshotSpec {
  volumeSnapshot: string;
  storageClass: string;
  snapshotClass?: string;
  driver?: string;
}

export interface DataUploadSpec {
  snapshotType: 'CSI';
  csiSnapshot?: CSISnapshotSpec | null;
  sourcePVC: string;
  /** "" or "velero" is Velero's built-in mover; Ferry handles objects whose value is its own data-mover name. */
  datamover?: string;
  backupStorageLocation: string;
  sourceNamespace: string;
  dataMoverConfig?: Record<string, string>;
  cancel?: boolean;
  /** A Go duration string, e.g. `10m0s`. */
  operationTimeout: string;
}

export type NodeOS = 'auto' | 'linux' | 'windows';

export interface DataUploadStatus {
  phase?: DataMovementPhase;
  path?: string;
  snapshotID?: string;
  dataMoverResult?: Record<string, string> | null;
  message?: string;
  startTimestamp?: string | null;
  completionTimestamp?: string | null;
  progress?: DataMovementProgress;
  incrementalBytes?: number;
  node?: string;
  nodeOS?: NodeOS;
  acceptedByNode?: string;
  acceptedTimestamp?: string | null;
}

export interface DataUpload {
  apiVersion: 'velero.io/v2alpha1';
  kind: 'DataUpload';
  metadata: V1ObjectMeta;
  spec: DataUploadSpec;
  status?: DataUploadStatus;
}

export interface TargetVolume {
  pvc: string;
  pv: string;
  namespace: string;
}

export interface DataDownloadSpec {
  targetVolume: TargetVolume;
  backupStorageLocation: string;
  datamover?: string;
  snapshotID: string;
  sourceNamespace: string;
  dataMoverConfig?: Record<string, string>;
  cancel?: boolean;
  operationTimeout: string;
  nodeOS?: NodeOS;
  snapshotSize?: number;
}

export interface DataDownloadStatus {
  phase?: DataMovementPhase;
  message?: string;
  startTimestamp?: string | null;
  completionTimestamp?: string | null;
  progress?: DataMovementProgress;
  node?: string;
  acceptedByNode?: string;
  acceptedTimestamp?: string | null;
}

export interface DataDownload {
  apiVersion: 'velero.io/v2alpha1';
  kind: 'DataDownload';
  metadata: V1ObjectMeta;
  spec: DataDownloadSpec;
  status?: DataDownloadStatus;
}

export interface BackupStorageLocationSpec {
  provider: string;
  objectStorage: { bucket: string; prefix?: string; caCert?: string };
  config?: Record<string, string>;
  credential?: { name: string; key: string; optional?: boolean };
  default?: boolean;
  accessMode?: 'ReadOnly' | 'ReadWrite';
  backupSyncPeriod?: string | null;
  validationFrequency?: string | null;
}

export interface BackupStorageLocation {
  apiVersion: 'velero.io/v1';
  kind: 'BackupStorageLocation';
  metadata: V1ObjectMeta;
  spec: BackupStorageLocationSpec;
  status?: { phase?: 'Available' | 'Unavailable'; message?: string; lastValidationTime?: string | null };
}

/** Resource names as the API serves them, for CustomObjectsApi calls. */
export const RESOURCES = {
  dataUploads: { group: VELERO_GROUP, version: DATA_MOVER_VERSION, plural: 'datauploads' },
  dataDownloads: { group: VELERO_GROUP, version: DATA_MOVER_VERSION, plural: 'datadownloads' },
  backupStorageLocations: { group: VELERO_GROUP, version: BSL_VERSION, plural: 'backupstoragelocations' },
} as const;

const CRD_FILES = ['velero.io_datauploads.yaml', 'velero.io_datadownloads.yaml', 'velero.io_backupstoragelocations.yaml'] as const;

/** Velero's published CRDs for the three kinds, as `ferry install` applies them. */
export function veleroCrds(): V1CustomResourceDefinition[] {
  return CRD_FILES.map((file) => parse(readFileSync(new URL(`./crds/${file}`, import.meta.url), 'utf8')) as V1CustomResourceDefinition);
}
