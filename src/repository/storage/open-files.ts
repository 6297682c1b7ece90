/**
 * Files kept open between range reads. A restore reads each pack in several ranges, and opening, sizing and closing
 * the file for each range took more of its wall time than the reads themselves: three more trips through libuv's
 * thread pool per range, one after the other. The least recently used file is closed past `max`, once no read is
 * using it.
 */
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

interface Entry {
  opened: Promise<{ handle: FileHandle; size: number }>;
  users: number;
  forgotten: boolean;
}

export class OpenFiles {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly max: number) {}

  /** Runs `use` with `path` open for reading and its size (taken when it was opened). */
  async with<T>(path: string, use: (handle: FileHandle, size: number) => Promise<T>): Promise<T> {
    let entry = this.entries.get(path);
    if (entry === undefined) entry = { opened: openSized(path), users: 0, forgotten: false };
    else this.entries.delete(path);
    // Most recently used last, so the oldest comes first when some must close.
    this.entries.set(path, entry);
    entry.users++;
    this.closeOver();
    let opened;
    try {
      opened = await entry.opened;
    } catch (err) {
      // A file that could not be opened may exist by the next call.
      entry.users--;
      if (this.entries.get(path) === entry) this.entries.delete(path);
      throw err;
    }
    try {
      return await use(opened.handle, opened.size);
    } finally {
      entry.users--;
      if (entry.forgotten && entry.users === 0) void closeEntry(entry);
    }
  }

  /** Closes `path` (once its reads finish): it was replaced or deleted, and the next read must open it anew. */
  forget(path: string): void {
    const entry = this.entries.get(path);
    if (entry !== undefined) void this.drop(path, entry);
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.entries].map(([path, entry]) => this.drop(path, entry)));
  }

  private closeOver(): void {
    for (const [path, entry] of this.entries) {
      if (this.entries.size <= this.max) return;
      void this.drop(path, entry);
    }
  }

  /** Closes at once when no read is using it, else when the last one finishes. */
  private drop(path: string, entry: Entry): Promise<void> {
    this.entries.delete(path);
    entry.forgotten = true;
    return entry.users === 0 ? closeEntry(entry) : Promise.resolve();
  }
}

async function openSized(path: string): Promise<{ handle: FileHandle; size: number }> {
  const handle = await open(path, 'r');
  try {
    return { handle, size: (await handle.stat()).size };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/** Close errors do not matter to a reader, and an entry that never opened has nothing to close. */
async function closeEntry(entry: Entry): Promise<void> {
  try {
    await (await entry.opened).handle.close();
  } catch {
    // Nothing to do: see above.
  }
}
