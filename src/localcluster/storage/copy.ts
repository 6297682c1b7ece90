/**
 * A point-in-time copy of a volume directory with `cp -a` semantics minus ownership and extended attributes:
 * file contents (reflinked where the filesystem can), modes, modification times of files, directories and
 * symlinks (to about a microsecond: Node sets times as floating-point seconds), symlinks as they are, and
 * hardlinks within the tree kept as hardlinks. `fs.cp` keeps neither directory nor symlink times nor hardlinks.
 */
import { constants } from 'node:fs';
import { chmod, copyFile, link, lstat, lutimes, mkdir, readdir, readlink, rm, symlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';

/** Entries of one directory copied at once: enough to keep the disk busy with many small files. */
const PARALLEL = 16;

type Links = Map<string, Promise<string>>;

/** Seconds as precisely as a double holds them; a `Date` would round to the millisecond. */
const seconds = (ns: bigint): number => Number(ns) / 1e9;

async function copyEntry(src: string, dst: string, links: Links): Promise<void> {
  const st = await lstat(src, { bigint: true });
  const [atime, mtime] = [seconds(st.atimeNs), seconds(st.mtimeNs)];
  const mode = Number(st.mode & 0o7777n);
  if (st.isDirectory()) {
    await mkdir(dst, { recursive: true });
    const names = await readdir(src);
    for (let i = 0; i < names.length; i += PARALLEL) {
      await Promise.all(names.slice(i, i + PARALLEL).map((n) => copyEntry(join(src, n), join(dst, n), links)));
    }
    await chmod(dst, mode);
    await utimes(dst, atime, mtime);
  } else if (st.isSymbolicLink()) {
    await symlink(await readlink(src), dst);
    await lutimes(dst, atime, mtime);
  } else if (st.isFile()) {
    const key = `${st.dev}:${st.ino}`;
    const first = st.nlink > 1n ? links.get(key) : undefined;
    if (first !== undefined) {
      await link(await first, dst);
      return;
    }
    const copied = (async () => {
      await copyFile(src, dst, constants.COPYFILE_FICLONE);
      await chmod(dst, mode);
      await utimes(dst, atime, mtime);
      return dst;
    })();
    if (st.nlink > 1n) links.set(key, copied);
    await copied;
  }
  // Sockets, FIFOs and devices are not volume data worth snapshotting.
}

/** Replaces `dst` with a copy of the tree at `src`. */
export async function copyTree(src: string, dst: string): Promise<void> {
  await rm(dst, { recursive: true, force: true });
  await copyEntry(src, dst, new Map());
}
