import { parseResultObject, resultNumber } from './result.js';

/** What a data-mover pod reports when a restore completed, in its termination log. */
export interface RestoreResult {
  snapshotID: string;
  targetPath: string;
  totalBytes: number;
  files: number;
}

/** Reads a termination message as a RestoreResult; throws a FerryError saying what is wrong. */
export function parseRestoreResult(text: string): RestoreResult {
  const parsed = parseResultObject(text);
  return {
    snapshotID: parsed.snapshotID,
    targetPath: typeof parsed.targetPath === 'string' ? parsed.targetPath : '',
    totalBytes: resultNumber(parsed.totalBytes),
    files: resultNumber(parsed.files),
  };
}
