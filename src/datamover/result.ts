import { FerryError } from '../util/errors.js';

/**
 * What a data-mover pod reports when a backup completed: Velero's `datapath.BackupResult` JSON, written to the
 * termination log and turned by the node-agent into the DataUpload's status.
 */
export interface BackupResult {
  snapshotID: string;
  emptySnapshot: boolean;
  source: { byPath: string; volumeMode: 'Filesystem' | 'Block' };
  totalBytes: number;
  incrementalBytes: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A finite number, else 0: absent counts in a result are zero. */
export function resultNumber(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/** A termination message as a JSON object with a non-empty `snapshotID`; throws a FerryError saying what is wrong. */
export function parseResultObject(text: string): Record<string, unknown> & { snapshotID: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new FerryError('IntegrityMismatch', `the data mover's result is not JSON: ${JSON.stringify(text.slice(0, 200))}`);
  }
  if (!isRecord(parsed) || typeof parsed.snapshotID !== 'string' || parsed.snapshotID === '') {
    throw new FerryError('IntegrityMismatch', `the data mover's result has no snapshotID: ${text.slice(0, 200)}`);
  }
  return { ...parsed, snapshotID: parsed.snapshotID };
}

/** Reads a termination message as a BackupResult; throws a FerryError saying what is missing. */
export function parseBackupResult(text: string): BackupResult {
  const parsed = parseResultObject(text);
  const source = isRecord(parsed.source) ? parsed.source : {};
  return {
    snapshotID: parsed.snapshotID,
    emptySnapshot: parsed.emptySnapshot === true,
    source: { byPath: typeof source.byPath === 'string' ? source.byPath : '', volumeMode: source.volumeMode === 'Block' ? 'Block' : 'Filesystem' },
    totalBytes: resultNumber(parsed.totalBytes),
    incrementalBytes: resultNumber(parsed.incrementalBytes),
  };
}
