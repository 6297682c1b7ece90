/**
 * Timestamps as the API carries them: RFC 3339 strings with second precision. The client-node model types declare
 * them as `Date`, but Ferry handles API objects as parsed JSON, where they are strings; these helpers accept both.
 */

export type ApiTime = Date | string | null | undefined;

/** Milliseconds since the epoch, or `undefined` when absent or unparsable. */
export function toMillis(time: ApiTime): number | undefined {
  if (time === null || time === undefined || time === '') return undefined;
  const ms = new Date(time).getTime();
  return Number.isNaN(ms) ? undefined : ms;
}

/** `2026-11-21T08:00:00Z`: what `metav1.Time` serialises to. */
export function apiTimestamp(ms: number = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `3 s` from one API timestamp to another; whole seconds, as precise as they are. `undefined` when either is absent. */
export function secondsBetween(from: ApiTime, to: ApiTime): string | undefined {
  const start = toMillis(from);
  const end = toMillis(to);
  return start === undefined || end === undefined ? undefined : `${Math.round((end - start) / 1000)} s`;
}
