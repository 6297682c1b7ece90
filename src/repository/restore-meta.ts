/** Metadata helpers shared by the restore's main thread and its workers. */

/**
 * Node takes times as float seconds and truncates to whole nanoseconds; a double holds about 0.24 µs at today's
 * epoch, so aiming at the middle of the microsecond restores it exactly (sub-microsecond digits are lost).
 */
export const nsToSeconds = (ns: string): number => (Number(BigInt(ns) / 1000n) + 0.5) / 1e6;
