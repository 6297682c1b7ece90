/**
 * Server-side printing: turns objects into a `meta.k8s.io/v1` Table (what `kubectl get` asks for), with each row
 * carrying the object, its metadata only, or nothing, as `includeObject` says.
 */
import type { KubeObject, ResourceType } from '../types.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function parseIncludeObject(value: string | null): IncludeObject {
  return value === 'None' || value === 'Object' ? value : 'Metadata';
}

export function partialObjectMetadata(obj: KubeObject): Record<string, unknown> {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

export interface TableOptions {
  includeObject: IncludeObject;
  /** Watch events after the first leave the column definitions out; kubectl reuses the previous ones. */
  withColumns: boolean;
  listMeta: Record<string, unknown>;
  now?: number;
}

export function toTable(type: ResourceType, objects: readonly KubeObject[], options: TableOptions): Record<string, unknown> {
  const now = options.now ?? Date.now();
  const table = type.behavior.table;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: options.listMeta,
    columnDefinitions: options.withColumns ? table.columns : [],
    rows: objects.map((obj) => ({
      cells: table.cells(obj, now),
      ...(options.includeObject === 'None'
        ? {}
        : { object: options.includeObject === 'Object' ? obj : partialObjectMetadata(obj) }),
    })),
  };
}
