/** "Did you mean" for mistyped keys: the closest known name by edit distance, ignoring case. */

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours cost 1. */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const up = rows[i - 1] ?? [];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((up[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (up[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      row.push(d);
    }
    rows.push(row);
  }
  return rows[a.length]?.[b.length] ?? Math.max(a.length, b.length);
}

export interface Candidate {
  /** The name compared with what was written. */
  name: string;
  /** What to suggest when it is the closest (a longer path such as `loadConcurrency.prepareQueueLength`). */
  suggestion: string;
}

/**
 * The suggestion of the closest candidate, or `undefined` when none is close: at most one edit for short names, up to
 * a quarter of the name's length for longer ones. Earlier candidates win ties.
 */
export function closest(written: string, candidates: readonly Candidate[]): string | undefined {
  const w = written.toLowerCase();
  let best: { suggestion: string; distance: number } | undefined;
  for (const { name, suggestion } of candidates) {
    const distance = editDistance(w, name.toLowerCase());
    if (distance > Math.max(1, Math.floor(name.length / 4))) continue;
    if (best === undefined || distance < best.distance) best = { suggestion, distance };
  }
  return best?.suggestion;
}
