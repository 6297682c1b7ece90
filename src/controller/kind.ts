import type { DataDownloadStatus, DataUploadStatus } from '../kube/crds.js';
import type { ObjectMeta } from '../kube/models.js';
import type { ResourceType } from '../kube/resources.js';
import type { Exposer } from '../exposer/index.js';
import type { FinalPhase } from './phases.js';

/** The status fields DataUploads and DataDownloads share (all of a DataDownload's), which the generic machinery reads and writes. */
export type MovementStatus = Pick<DataUploadStatus, keyof DataDownloadStatus>;

/** A DataUpload or DataDownload, as far as the phase machinery is concerned. */
export interface DataMovement {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec: { datamover?: string; cancel?: boolean; operationTimeout: string };
  status?: MovementStatus;
}

/** The outcome a data mover reported, turned into status fields of the final object. */
export interface MovementOutcome {
  /** Merged into `status` (kind-specific fields such as `snapshotID`, `path`, `incrementalBytes`). */
  status: MovementStatus & Record<string, unknown>;
  /** Bytes moved, for metrics. */
  bytes: number;
}

/** What differs between DataUploads and DataDownloads; everything else is the shared machinery's. */
export interface MovementKind<T extends DataMovement> {
  resource: ResourceType;
  /** For messages, Velero's wording: `data upload` (`timeout on preparing data upload`). */
  noun: string;
  /** What is going on before the data-mover pod exists, for a prepare timeout that strikes then. */
  exposing: string;
  /** The label on data-mover pods whose value is the object's name. */
  podLabel: string;
  exposer: Exposer<T>;
  /** The Completed status from the data mover's termination message; throws when the message is not a result. */
  completed(obj: T, terminationMessage: string): MovementOutcome;
}

/** Per-node counters and histograms of finished data movements (implemented by the node-agent's /metrics). */
export interface MovementMetrics {
  finished(event: { kind: string; phase: FinalPhase; bytes: number; durationMs: number | undefined }): void;
}
