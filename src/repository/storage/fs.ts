/**
 * Filesystem backend: one file per object under a root directory, the key's slashes being directories.
 * Writes go to a temporary file in the target directory, are fsynced, then renamed (or hard-linked for
 * `ifAbsent`) into place and the directory is fsynced, so a crash leaves either the old state or the whole object.
 */
import { randomBytes } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { link, lstat, mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isAbortError, throwIfAborted } from './abort.js';
import { checkKey, checkPrefix, TEMP_PREFIX } from './keys.js';
import { OpenFiles } from './open-files.js';
import { checkRange, rangePastEnd } from './range.js';
import { StorageError } from './types.js';
import type { ObjectInfo, PutOptions, Storage, StorageErrorCode } from './types.js';

export interface FileStorage extends Storage {
  /** The absolute root directory. */
  readonly root: string;
  /**
   * Removes temporary files left by writers that crashed, and returns how many were removed. Only files older
   * than `olderThanMs` are touched, because another process may be writing into the same directory right now.
   */
  cleanup(options?: { olderThanMs?: number }): Promise<number>;
}

const DEFAULT_TEMP_AGE_MS = 60 * 60 * 1000;
const STAT_BATCH = 64;
/** Objects kept open for range reads: a restore reads a few packs at a time, each in several ranges. */
const OPEN_FILES = 16;

/** A store rooted at `dir` (an absolute path). The directory is created by the first `put`. */
export function createFileStorage(dir: string): FileStorage {
  const root = dir.length > 1 && dir.endsWith(sep) ? dir.slice(0, -1) : dir;
  const location = pathToFileURL(root).href;
  const pathOf = (key: string): string => {
    checkKey(key);
    return join(root, ...key.split('/'));
  };
  const fail = (err: unknown, key: string, verb: string): StorageError => mapFsError(err, key, `${verb} ${JSON.stringify(key)} in ${location}`);
  const openFiles = new OpenFiles(OPEN_FILES);

  return {
    root,
    location,

    async put(key: string, data: Uint8Array, options: PutOptions = {}): Promise<void> {
      const path = pathOf(key);
      throwIfAborted(options.signal);
      const dir = dirname(path);
      const temp = join(dir, TEMP_PREFIX + randomBytes(12).toString('hex'));
      try {
        await makeDirectories(dir);
        await writeDurably(temp, data);
        throwIfAborted(options.signal);
        if (options.ifAbsent === true) {
          // link() fails with EEXIST instead of replacing, which rename() cannot do atomically.
          await link(temp, path).catch((err: unknown) => {
            if (errnoCode(err) !== 'EEXIST') throw err;
            throw new StorageError('Exists', key, `${JSON.stringify(key)} already exists in ${location}`, { cause: err });
          });
          await unlink(temp);
        } else {
          await rename(temp, path);
          openFiles.forget(path);
        }
        await syncDirectory(dir);
      } catch (err) {
        await rm(temp, { force: true }).catch(() => undefined);
        if (isAbortError(err)) throw err;
        throw fail(err, key, 'cannot write');
      }
    },

    async get(key: string, options: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
      const path = pathOf(key);
      try {
        const buffer = await readFile(path, options.signal === undefined ? {} : { signal: options.signal });
        return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      } catch (err) {
        if (isAbortError(err)) throw err;
        throw fail(err, key, 'cannot read');
      }
    },

    async getRange(key: string, offset: number, length: number, options: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
      const path = pathOf(key);
      checkRange(offset, length);
      throwIfAborted(options.signal);
      try {
        return await openFiles.with(path, async (handle, size) => {
          if (offset + length > size) throw rangePastEnd(key, location, offset, length, size);
          // Not zeroed (it is filled or thrown away) and not from Buffer's pool, so a restore can transfer it whole.
          const out = new Uint8Array(Buffer.allocUnsafeSlow(length).buffer, 0, length);
          let done = 0;
          while (done < length) {
            const { bytesRead } = await handle.read(out, done, length - done, offset + done);
            if (bytesRead === 0) throw rangePastEnd(key, location, offset, length, offset + done);
            done += bytesRead;
          }
          return out;
        });
      } catch (err) {
        if (err instanceof StorageError) throw err;
        throw fail(err, key, 'cannot read');
      }
    },

    async stat(key: string): Promise<ObjectInfo | undefined> {
      const path = pathOf(key);
      try {
        const info = await stat(path);
        return info.isFile() ? { key, sizeBytes: info.size } : undefined;
      } catch (err) {
        if (isMissing(err)) return undefined;
        throw fail(err, key, 'cannot stat');
      }
    },

    async delete(key: string): Promise<void> {
      const path = pathOf(key);
      try {
        await unlink(path);
        openFiles.forget(path);
        await syncDirectory(dirname(path));
      } catch (err) {
        if (isMissing(err)) return;
        throw fail(err, key, 'cannot delete');
      }
    },

    async *list(prefix: string): AsyncIterable<ObjectInfo> {
      checkPrefix(prefix);
      const slash = prefix.lastIndexOf('/');
      const start = join(root, ...prefix.slice(0, slash + 1).split('/'));
      const leaf = prefix.slice(slash + 1);
      try {
        for await (const info of walk(root, start, leaf)) yield info;
      } catch (err) {
        throw fail(err, prefix, 'cannot list');
      }
    },

    async cleanup({ olderThanMs = DEFAULT_TEMP_AGE_MS } = {}): Promise<number> {
      const cutoff = Date.now() - olderThanMs;
      let removed = 0;
      for await (const path of tempFiles(root)) {
        const info = await lstat(path).catch(() => undefined);
        if (info === undefined || info.mtimeMs > cutoff) continue;
        await rm(path, { force: true });
        removed++;
      }
      return removed;
    },

    close(): Promise<void> {
      return openFiles.closeAll();
    },
  };
}

/** Creates `dir` and fsyncs the parent of every directory it had to create, so the new path survives a crash. */
async function makeDirectories(dir: string): Promise<void> {
  const first = await mkdir(dir, { recursive: true });
  if (first === undefined) return;
  await syncDirectory(dirname(first));
  // `dir` itself is synced after the rename into it.
  for (let current = first; current !== dir; current = join(current, relative(current, dir).split(sep)[0] ?? '')) {
    await syncDirectory(current);
  }
}

async function writeDurably(path: string, data: Uint8Array): Promise<void> {
  const handle = await open(path, 'wx', 0o644);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A directory that does not exist holds no objects. */
async function entriesOf(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (isMissing(err)) return [];
    throw err;
  }
}

async function* walk(root: string, dir: string, leaf: string): AsyncGenerator<ObjectInfo> {
  const entries = await entriesOf(dir);
  const files: string[] = [];
  const dirs: string[] = [];
  for (const entry of entries) {
    if (!entry.name.startsWith(leaf) || entry.name.startsWith(TEMP_PREFIX)) continue;
    if (entry.isDirectory()) dirs.push(entry.name);
    else if (entry.isFile()) files.push(entry.name);
  }
  for (let i = 0; i < files.length; i += STAT_BATCH) {
    const batch = files.slice(i, i + STAT_BATCH).map(async (name) => {
      const path = join(dir, name);
      // A concurrent delete between readdir and stat is not an error: the object is simply gone.
      const info = await stat(path).catch((err: unknown) => {
        if (isMissing(err)) return undefined;
        throw err;
      });
      return info === undefined ? undefined : { key: relative(root, path).split(sep).join('/'), sizeBytes: info.size };
    });
    for (const info of await Promise.all(batch)) if (info !== undefined) yield info;
  }
  for (const name of dirs) yield* walk(root, join(dir, name), '');
}

async function* tempFiles(dir: string): AsyncGenerator<string> {
  for (const entry of await entriesOf(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* tempFiles(path);
    else if (entry.name.startsWith(TEMP_PREFIX)) yield path;
  }
}

function errnoCode(err: unknown): string | undefined {
  if (err instanceof Error && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}

/** ENOTDIR and EISDIR mean a key's path runs into a file or names a directory: no such object either way. */
function isMissing(err: unknown): boolean {
  const code = errnoCode(err);
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}

const CODES: Partial<Record<string, StorageErrorCode>> = {
  ENOENT: 'NotFound',
  ENOTDIR: 'NotFound',
  EISDIR: 'NotFound',
  EACCES: 'Permission',
  EPERM: 'Permission',
  EROFS: 'Permission',
};

function mapFsError(err: unknown, key: string, what: string): StorageError {
  if (err instanceof StorageError) return err;
  const errno = errnoCode(err);
  const code = (errno === undefined ? undefined : CODES[errno]) ?? 'Unavailable';
  const reason = err instanceof Error ? err.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '') : String(err);
  return new StorageError(code, key, `${what}: ${reason}`, { cause: err });
}
