/** The table that ends the demo: for the backup and the restore, where the data moved, how much, how fast. */
import { table } from '../cli/backup-output.js';
import { formatBytes, formatSeconds } from '../cli/repo-output.js';

export interface MovementFigures {
  what: 'backup' | 'restore';
  eligible: readonly string[];
  /** Where the data-mover pod ran (as the pod was bound, and the DataUpload/DataDownload says). */
  node: string;
  bytes: number;
  /** From creating the DataUpload/DataDownload to its completion. */
  totalMs: number;
  /** InProgress to Completed: the data-mover pod running, most of it moving data. */
  movingMs: number;
  /** Logical bytes per unique byte stored; `undefined` for restores. */
  dedupRatio?: number | undefined;
  /** Unique bytes per byte stored in the object store (compressed and encrypted). */
  compressionRatio?: number | undefined;
}

function ratio(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '-' : `${value.toFixed(2)}x`;
}

function throughput(bytes: number, ms: number): string {
  return ms <= 0 ? '-' : `${formatBytes((bytes * 1000) / ms)}/s`;
}

export function formatSummary(rows: readonly MovementFigures[]): string {
  const cells = [['', 'NODES ELIGIBLE', 'NODE USED', 'BYTES', 'TIME', 'MOVING', 'THROUGHPUT', 'DEDUP', 'COMPRESSION']];
  for (const r of rows) {
    cells.push([r.what, r.eligible.join(',') || '<none>', r.node, formatBytes(r.bytes), formatSeconds(r.totalMs), formatSeconds(r.movingMs), throughput(r.bytes, r.movingMs), ratio(r.dedupRatio), ratio(r.compressionRatio)]);
  }
  return `${table(cells)}\n`;
}
