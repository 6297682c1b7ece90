/**
 * Label and field selectors of list, watch and deletecollection requests, turned into one predicate over stored
 * objects. Field selectors accept `metadata.name`, `metadata.namespace` and the fields the kind makes selectable;
 * anything else is a 400 as on a real server.
 */
import { badRequest } from '../errors.js';
import { at } from '../json.js';
import { parseFieldSelector, parseLabelSelector, SelectorError } from '../selectors.js';
import type { ResourceType, StoredObject } from '../types.js';

function fieldValue(obj: StoredObject, path: string): string {
  const value = at(obj, ...path.split('.'));
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}

export type ObjectFilter = (obj: StoredObject) => boolean;

export function selectorFilter(type: ResourceType, query: URLSearchParams): ObjectFilter {
  const labelQuery = query.get('labelSelector') ?? '';
  const fieldQuery = query.get('fieldSelector') ?? '';
  try {
    const labels = labelQuery.trim() === '' ? undefined : parseLabelSelector(labelQuery);
    const fields = fieldQuery.trim() === '' ? undefined : parseFieldSelector(fieldQuery);
    if (fields !== undefined) {
      const allowed = new Set(['metadata.name', 'metadata.namespace', ...type.behavior.selectableFields]);
      const unsupported = fields.fields.find((f) => !allowed.has(f));
      if (unsupported !== undefined) throw badRequest(`field label not supported: ${unsupported}`);
    }
    if (labels === undefined && fields === undefined) return () => true;
    return (obj) =>
      (labels === undefined || labels.matches(obj.metadata.labels ?? {})) && (fields === undefined || fields.matches((path) => fieldValue(obj, path)));
  } catch (err) {
    if (err instanceof SelectorError) throw badRequest(err.message);
    throw err;
  }
}

/** True when no selector was given (lists then report `remainingItemCount`). */
export function hasSelectors(query: URLSearchParams): boolean {
  return (query.get('labelSelector') ?? '').trim() !== '' || (query.get('fieldSelector') ?? '').trim() !== '';
}
