/**
 * The workload's data: files written straight into the volume's directory (as the workload would), a checksum list
 * of every file taken before the backup, and the comparison of a restored volume with that list.
 *
 * The mix shows what the repository does with real data: log-like text (compresses well), random media (does not),
 * copies of some media (deduplicated), small config files in nested directories, an empty file and a symlink.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, lstat, mkdir, open, readdir, readlink, symlink, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** Relative path → `sha256:<hex>`, `link:<target>` or `dir`. */
export type Checksums = Map<string, string>;

const MiB = 1024 * 1024;
const MEDIA_FILE_BYTES = 8 * MiB;
const SMALL_FILES: readonly (readonly [string, string])[] = [
  ['config/app/v1/settings.json', `${JSON.stringify({ replicas: 3, feature: { orders: true } }, null, 2)}\n`],
  ['config/db/schema.sql', 'CREATE TABLE orders (id bigint primary key, total numeric);\n'],
  ['config/empty', ''],
];

function textBlock(seed: number, bytes: number): Buffer {
  const lines: string[] = [];
  let size = 0;
  for (let i = seed; size < bytes; i++) {
    const line = `2026-11-21T08:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.${String(i % 1000).padStart(3, '0')}Z INFO request id=${i} path=/api/v1/orders/${(i * 7919) % 100_003} status=${i % 50 === 0 ? 503 : 200} took=${(i * 31) % 977}ms\n`;
    lines.push(line);
    size += line.length;
  }
  return Buffer.from(lines.join('')).subarray(0, bytes);
}

async function writeChunks(path: string, bytes: number, chunk: (offset: number, size: number) => Buffer): Promise<void> {
  const handle = await open(path, 'w');
  try {
    for (let offset = 0; offset < bytes; offset += MiB) await handle.write(chunk(offset, Math.min(MiB, bytes - offset)));
  } finally {
    await handle.close();
  }
}

/** Splits `bytes` into files of at most `max` bytes. */
function fileSizes(bytes: number, max: number): number[] {
  const sizes: number[] = [];
  for (let left = bytes; left > 0; left -= max) sizes.push(Math.min(max, left));
  return sizes;
}

/** Fills `dir` with `bytes` of file data: 45 % random media, up to 15 % copies of it, the rest text, and a few small files. */
export async function generateData(dir: string, bytes: number): Promise<void> {
  for (const sub of ['logs', 'media', 'media-copies', 'config/app/v1', 'config/db']) await mkdir(join(dir, sub), { recursive: true });
  const mediaBytes = Math.floor(bytes * 0.45);
  const mediaFileBytes = Math.max(MiB, Math.min(MEDIA_FILE_BYTES, Math.ceil(mediaBytes / 4)));
  const media = fileSizes(mediaBytes, mediaFileBytes).map((size, i) => ({ name: `clip-${i}.bin`, size }));
  for (const { name, size } of media) await writeChunks(join(dir, 'media', name), size, (_offset, chunk) => randomBytes(chunk));
  let copied = 0;
  for (const { name, size } of media) {
    if (copied + size > bytes * 0.15) break;
    await copyFile(join(dir, 'media', name), join(dir, 'media-copies', name));
    copied += size;
  }
  const small = SMALL_FILES.reduce((sum, [, content]) => sum + content.length, 0);
  let lineNumber = 0;
  for (const [i, size] of fileSizes(bytes - mediaBytes - copied - small, 16 * MiB).entries()) {
    await writeChunks(join(dir, 'logs', `app-${i}.log`), size, (_offset, chunk) => {
      lineNumber += Math.floor(chunk / 100);
      return textBlock(lineNumber, chunk);
    });
  }
  for (const [path, content] of SMALL_FILES) await writeFile(join(dir, path), content);
  await symlink('app/v1/settings.json', join(dir, 'config/current'));
}

async function fileChecksum(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

/** Every entry under `dir` with its checksum (files), target (symlinks) or `dir`; also the total of file bytes. */
export async function checksumTree(dir: string): Promise<{ checksums: Checksums; bytes: number; files: number }> {
  const checksums: Checksums = new Map();
  let bytes = 0;
  let files = 0;
  const walk = async (current: string): Promise<void> => {
    for (const name of (await readdir(current)).sort()) {
      const path = join(current, name);
      const rel = relative(dir, path);
      const stat = await lstat(path);
      if (stat.isDirectory()) {
        checksums.set(rel, 'dir');
        await walk(path);
      } else if (stat.isSymbolicLink()) checksums.set(rel, `link:${await readlink(path)}`);
      else {
        checksums.set(rel, await fileChecksum(path));
        bytes += stat.size;
        files++;
      }
    }
  };
  await walk(dir);
  return { checksums, bytes, files };
}

/** What differs between the list taken before the backup and the restored volume's; empty when identical. */
export function checksumDifferences(expected: Checksums, actual: Checksums): string[] {
  const diffs: string[] = [];
  for (const [path, sum] of expected) {
    const got = actual.get(path);
    if (got === undefined) diffs.push(`${path}: missing`);
    else if (got !== sum) diffs.push(`${path}: ${sum === 'dir' || got === 'dir' ? 'type' : 'content'} differs`);
  }
  for (const path of actual.keys()) if (!expected.has(path)) diffs.push(`${path}: not in the backup`);
  return diffs;
}
