import type { LoadAffinity } from '../config/types.js';

export interface SelectedLoadAffinity {
  /** A deep copy: callers may change it (append requirements) without touching the loaded config (Velero #10341). */
  entry: LoadAffinity;
  /** Position of the entry in `loadAffinity`. */
  index: number;
}

/**
 * The one `loadAffinity` entry that applies to a storage class, as Velero's `GetLoadAffinityByStorageClass`: the first
 * entry whose storageClass equals `storageClass`, else the first entry without one (the global entry), else none.
 * Later entries for the same class and later global entries are never used.
 */
export function selectLoadAffinity(
  list: readonly LoadAffinity[] | undefined,
  storageClass: string,
): SelectedLoadAffinity | undefined {
  let global: { entry: LoadAffinity; index: number } | undefined;
  for (const [index, entry] of (list ?? []).entries()) {
    if ((entry.storageClass ?? '') === storageClass) return { entry: structuredClone(entry), index };
    if (global === undefined && isGlobalEntry(entry)) global = { entry, index };
  }
  return global && { entry: structuredClone(global.entry), index: global.index };
}

/** True when the entry applies to every storage class that has no entry of its own. */
export function isGlobalEntry(entry: LoadAffinity): boolean {
  return (entry.storageClass ?? '') === '';
}
