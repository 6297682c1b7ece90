import { DATA_MOVEMENT_PHASES, type DataMovementPhase } from '../kube/crds.js';

export { DATA_MOVEMENT_PHASES, type DataMovementPhase };

/**
 * The phase protocol of DataUploads and DataDownloads, as data: which phase may follow which. Final phases have no
 * successor. `Canceling` is InProgress after `spec.cancel` was seen, until the data mover stopped.
 */
export const NEXT: Readonly<Record<DataMovementPhase, readonly DataMovementPhase[]>> = {
  New: ['Accepted', 'Canceled', 'Failed'],
  Accepted: ['Prepared', 'Canceled', 'Failed'],
  Prepared: ['InProgress', 'Canceled', 'Failed'],
  InProgress: ['Canceling', 'Completed', 'Failed', 'Canceled'],
  Canceling: ['Canceled', 'Completed', 'Failed'],
  Completed: [],
  Failed: [],
  Canceled: [],
};

export type FinalPhase = 'Completed' | 'Failed' | 'Canceled';

export function canMove(from: DataMovementPhase, to: DataMovementPhase): boolean {
  return NEXT[from].includes(to);
}

export function isFinal(phase: DataMovementPhase): phase is FinalPhase {
  return NEXT[phase].length === 0;
}

/** An absent or empty phase is New, as Velero reads it. */
export function phaseOf(obj: { status?: { phase?: DataMovementPhase } | undefined }): DataMovementPhase {
  const phase = obj.status?.phase;
  return phase === undefined || (phase as string) === '' ? 'New' : phase;
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value ${String(value)}`);
}
