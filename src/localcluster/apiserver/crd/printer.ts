/** Tables for custom resources: Name plus the version's additionalPrinterColumns (Name and Age when it has none). */
import { asArray, asNumber, asRecord, asString } from '../json.js';
import { NAME_COLUMN, ageOf, column, nameAgeTable } from '../tables/columns.js';
import type { CellValue, TableColumn, TableSpec } from '../types.js';
import { evaluateJsonPath, parseJsonPath } from './jsonpath.js';

const COLUMN_TYPES = new Set<TableColumn['type']>(['string', 'integer', 'number', 'boolean', 'date']);

function cell(type: TableColumn['type'], values: unknown[], now: number): CellValue {
  const value = values[0];
  if (value === undefined || value === null) return null;
  switch (type) {
    case 'date':
      return typeof value === 'string' ? ageOf(value, now) : null;
    case 'integer':
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'string':
      return values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(',');
  }
}

export function printerTable(columns: unknown): TableSpec {
  const defs = asArray(columns).map(asRecord);
  if (defs.length === 0) return nameAgeTable([], () => []);
  const compiled = defs.map((def) => {
    const declared = asString(def['type']) ?? 'string';
    const type: TableColumn['type'] = COLUMN_TYPES.has(declared as TableColumn['type']) ? (declared as TableColumn['type']) : 'string';
    return {
      column: column(asString(def['name']) ?? '', type, asString(def['description']) ?? '', asNumber(def['priority']) ?? 0, asString(def['format'])),
      path: parseJsonPath(asString(def['jsonPath']) ?? '') ?? [],
    };
  });
  return {
    columns: [NAME_COLUMN, ...compiled.map((c) => c.column)],
    cells: (obj, now) => [obj.metadata.name ?? '', ...compiled.map((c) => cell(c.column.type, evaluateJsonPath(c.path, obj), now))],
  };
}
