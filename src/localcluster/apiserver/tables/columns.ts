/** Building blocks of server-side Tables: column definitions, Kubernetes' human-readable ages, `<none>` cells. */
import type { CellValue, KubeObject, TableColumn, TableSpec } from '../types.js';

export function column(name: string, type: TableColumn['type'], description: string, priority = 0, format?: string): TableColumn {
  return { name, type, ...(format === undefined ? {} : { format }), description, priority };
}

export const NAME_COLUMN = column('Name', 'string', 'Name must be unique within a namespace.', 0, 'name');
const AGE_COLUMN = column(
  'Age',
  'string',
  'CreationTimestamp is a timestamp representing the server time when this object was created.',
);

export const NONE = '<none>';

/** apimachinery's `duration.HumanDuration`: `45s`, `3m20s`, `5h`, `12d`. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${hours / 24}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const years = Math.floor(hours / 24 / 365);
  if (hours < 24 * 365 * 8) {
    const days = Math.floor(hours / 24) % 365;
    return days === 0 ? `${years}y` : `${years}y${days}d`;
  }
  return `${years}y`;
}

/** The age of an RFC 3339 timestamp, or `<unknown>` as kubectl shows for a missing one. */
export function ageOf(timestamp: unknown, now: number): string {
  if (typeof timestamp !== 'string') return '<unknown>';
  const t = Date.parse(timestamp);
  return Number.isNaN(t) ? '<unknown>' : humanDuration(now - t);
}

function objectAge(obj: KubeObject, now: number): string {
  return ageOf(obj.metadata.creationTimestamp, now);
}

export function orNone(value: unknown): CellValue {
  if (value === undefined || value === null || value === '') return NONE;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}

/** `a=b,c=d` as kubectl prints label maps and selectors. */
export function formatLabels(labels: unknown): string {
  if (typeof labels !== 'object' || labels === null) return NONE;
  const parts = Object.entries(labels).map(([k, v]) => `${k}=${String(v)}`);
  return parts.length === 0 ? NONE : parts.sort().join(',');
}

type Cells = (obj: KubeObject) => CellValue[];

/**
 * The layout most printers share: Name, the kind's own columns, Age, then columns printed after Age (usually the
 * `-o wide` ones).
 */
export function nameAgeTable(columns: readonly TableColumn[], cells: Cells, after: { columns: readonly TableColumn[]; cells: Cells } = { columns: [], cells: () => [] }): TableSpec {
  return {
    columns: [NAME_COLUMN, ...columns, AGE_COLUMN, ...after.columns],
    cells: (obj, now) => [obj.metadata.name ?? '', ...cells(obj), objectAge(obj, now), ...after.cells(obj)],
  };
}
