/**
 * @module controller
 * The node-agent's reconcilers for data movements. Nouns: a **data movement** (a DataUpload or a DataDownload)
 * moving through **phases** (New → Accepted → Prepared → InProgress → Completed / Failed / Canceled, as data in
 * `phases.ts`); its **kind** (what differs between uploads and downloads: resource, pod label, exposer, how a result
 * becomes status); the **node load** (data paths running on this node against loadConcurrency, shared by all
 * kinds); the generic **controller** that runs the phase machine for one kind on one node.
 */
export { DataMovementController, type ControllerOptions } from './controller.js';
export { dataUploadKind, EMPTY_VOLUME_MESSAGE } from './dataupload.js';
export { dataDownloadKind } from './datadownload.js';
export type { DataMovement, MovementKind, MovementMetrics, MovementOutcome, MovementStatus } from './kind.js';
export { SharedLimit } from './limit.js';
export { NEXT, canMove, isFinal, phaseOf, type FinalPhase } from './phases.js';
export { WorkQueue, type Requeue } from './queue.js';
