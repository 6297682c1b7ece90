/**
 * The driver's own record of each snapshot, kept beside its data as `<dir>/snapshots/<handle>.json` (a CSI driver
 * answers ListSnapshots from such a store): pre-provisioned VolumeSnapshotContents that name only a handle get
 * their size and creation time from it.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { snapshotDir, snapshotRecordPath } from './paths.js';

export interface SnapshotRecord {
  handle: string;
  /** The PV the snapshot was taken of. */
  sourceVolume: string;
  /** The source volume's capacity as a quantity (the smallest volume to restore into). */
  restoreSize: string;
  restoreSizeBytes: number;
  /** RFC 3339. */
  creationTime: string;
  /** Nanoseconds since the epoch, as VolumeSnapshotContent status has it. */
  creationTimeNs: number;
}

export async function writeRecord(dir: string, record: SnapshotRecord): Promise<void> {
  await writeFile(snapshotRecordPath(dir, record.handle), `${JSON.stringify(record, null, 2)}\n`);
}

export async function readRecord(dir: string, handle: string): Promise<SnapshotRecord | undefined> {
  try {
    return JSON.parse(await readFile(snapshotRecordPath(dir, handle), 'utf8')) as SnapshotRecord;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Deletes a snapshot's data and record (DeleteSnapshot). */
export async function deleteSnapshotData(dir: string, handle: string): Promise<void> {
  await rm(snapshotDir(dir, handle), { recursive: true, force: true });
  await rm(snapshotRecordPath(dir, handle), { force: true });
}
