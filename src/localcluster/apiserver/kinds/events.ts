/**
 * events.k8s.io/v1 Events are the same objects as core v1 Events with renamed fields; the store keeps the core form
 * and these converters translate at the edge, as the real server does.
 */
import { removeField } from '../json.js';
import type { KubeObject, StoredObject } from '../types.js';

/** events.k8s.io/v1 field → core v1 field. */
const RENAMES: readonly (readonly [string, string])[] = [
  ['regarding', 'involvedObject'],
  ['note', 'message'],
  ['reportingController', 'reportingComponent'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
];

function rename(obj: Record<string, unknown>, pairs: readonly (readonly [string, string])[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...obj };
  for (const [from, to] of pairs) {
    removeField(out, from);
    if (obj[from] !== undefined) out[to] = obj[from];
  }
  return out;
}

export function eventToCore(event: KubeObject): KubeObject {
  return { ...rename(event, RENAMES), apiVersion: 'v1', kind: 'Event', metadata: event.metadata };
}

export function eventFromCore(event: StoredObject): StoredObject {
  const swapped = RENAMES.map(([a, b]) => [b, a] as const);
  return { ...rename(event, swapped), apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: event.metadata };
}
