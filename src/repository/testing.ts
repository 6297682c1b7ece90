/**
 * Test helpers: an in-memory `Storage` and repositories with a cheap key derivation, so unit tests run in
 * milliseconds. Not for production use: nothing here is durable.
 */
import * as fixtureCrypto from 'node:crypto';
import * as fixtureFs from 'node:fs';
import { StorageError } from './storage/types.js';
import type { ObjectInfo, PutOptions, Storage } from './storage/types.js';
import { Repository } from './repository.js';
import type { InitOptions } from './repository.js';
import type { ScryptParams } from './crypto.js';

/** scrypt parameters that take about a millisecond: for tests only. */
export const TEST_KDF: ScryptParams = { N: 1024, r: 8, p: 1 };

export class MemoryStorage implements Storage {
  readonly location = 'memory:';
  readonly objects = new Map<string, Uint8Array>();

  put(key: string, data: Uint8Array, options: PutOptions = {}): Promise<void> {
    if (options.ifAbsent === true && this.objects.has(key)) return Promise.reject(new StorageError('Exists', key, `${key} exists`));
    this.objects.set(key, Uint8Array.from(data));
    return Promise.resolve();
  }

  get(key: string): Promise<Uint8Array> {
    const data = this.objects.get(key);
    if (data === undefined) return Promise.reject(new StorageError('NotFound', key, `${key} not found`));
    return Promise.resolve(Uint8Array.from(data));
  }

  async getRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    const data = await this.get(key);
    if (offset + length > data.length) throw new StorageError('NotFound', key, `${key} is shorter than ${offset + length}`);
    return data.subarray(offset, offset + length);
  }

  stat(key: string): Promise<ObjectInfo | undefined> {
    const data = this.objects.get(key);
    return Promise.resolve(data === undefined ? undefined : { key, sizeBytes: data.length });
  }

  delete(key: string): Promise<void> {
    this.objects.delete(key);
    return Promise.resolve();
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    for (const [key, data] of [...this.objects]) {
      await Promise.resolve();
      if (key.startsWith(prefix)) yield { key, sizeBytes: data.length };
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

export const TEST_PASSWORD = 'correct horse battery staple';

/** A new repository in memory with small chunks (min 16 KiB, avg 64 KiB, max 256 KiB) so tests exercise many. */
export function testRepository(options: Partial<InitOptions> = {}, storage: Storage = new MemoryStorage()): Promise<Repository> {
  return Repository.init(storage, {
    password: TEST_PASSWORD,
    kdf: TEST_KDF,
    chunking: { minBytes: 16 * 1024, avgBytes: 64 * 1024, maxBytes: 256 * 1024 },
    packSizeBytes: 1024 * 1024,
    ...options,
  });
}

/** Raw path bytes of `name` under `dir` (names may be invalid UTF-8). */
const under = (dir: string, name: Buffer): Buffer => Buffer.concat([Buffer.from(`${dir}/`), name]);

/** A name that is not valid UTF-8: Latin-1 "café" as one byte per character. */
export const INVALID_UTF8_NAME = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2e, 0x74, 0x78, 0x74]);

/**
 * Builds a tree with every kind of node the repository must keep: regular, empty, compressible and random files,
 * a sparse file, hard links, symlinks (also dangling), an empty directory, unicode and odd names, modes, owners
 * and old mtimes.
 */
export function makeFixtureTree(dir: string): void {
  const fs = fixtureFs;
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(`${dir}/hello.txt`, 'hello world\n');
  fs.writeFileSync(`${dir}/empty`, '');
  fs.writeFileSync(`${dir}/text.log`, 'log line with some repetition\n'.repeat(20_000));
  fs.writeFileSync(`${dir}/random.bin`, fixtureRandom(700 * 1024));
  fs.mkdirSync(`${dir}/sub/deeper/deepest`, { recursive: true });
  fs.writeFileSync(`${dir}/sub/deeper/deepest/leaf`, fixtureRandom(3000));
  fs.mkdirSync(`${dir}/empty-dir`);
  fs.writeFileSync(`${dir}/sub/original`, fixtureRandom(100 * 1024));
  fs.linkSync(`${dir}/sub/original`, `${dir}/sub/hardlink`);
  fs.linkSync(`${dir}/sub/original`, `${dir}/hardlink-elsewhere`);
  fs.symlinkSync('hello.txt', `${dir}/link-to-hello`);
  fs.symlinkSync('/nonexistent/target', `${dir}/dangling-link`);
  fs.writeFileSync(`${dir}/ünïcødé ✓ 文件.txt`, 'unicode name\n');
  fs.writeFileSync(`${dir}/new\nline`, 'newline in the name\n');
  fs.writeFileSync(`${dir}/back\\slash`, 'backslash in the name\n');
  fs.writeFileSync(`${dir}/ space `, 'spaces around\n');
  fs.writeFileSync(under(dir, INVALID_UTF8_NAME), 'latin-1 name\n');
  const sparse = fs.openSync(`${dir}/sparse.img`, 'w');
  fs.writeSync(sparse, fixtureRandom(5000), 0, 5000, 3 * 1024 * 1024);
  fs.ftruncateSync(sparse, 16 * 1024 * 1024);
  fs.closeSync(sparse);
  fs.chmodSync(`${dir}/hello.txt`, 0o640);
  fs.chmodSync(`${dir}/random.bin`, 0o4755);
  fs.chmodSync(`${dir}/empty-dir`, 0o751);
  fs.chownSync(`${dir}/hello.txt`, 1234, 5678);
  fs.lchownSync(`${dir}/link-to-hello`, 4321, 8765);
  fs.chownSync(`${dir}/sub`, 1001, 1002);
  const old = new Date('2001-02-03T04:05:06.789Z');
  fs.utimesSync(`${dir}/text.log`, old, old);
  fs.utimesSync(`${dir}/sub/deeper`, old, old);
  fs.lutimesSync(`${dir}/link-to-hello`, old, old);
}

function fixtureRandom(size: number): Buffer {
  return fixtureCrypto.randomBytes(size);
}

export interface TreeEntry {
  type: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtimeUs: bigint;
  /** Hash for files, target for symlinks. */
  content: string;
  /** Paths of the other links to the same inode, for hard links. */
  linkGroup: string;
}

/** Everything observable about a tree, keyed by path (hex of the raw bytes, so odd names compare exactly). */
export function describeTree(root: string): Map<string, TreeEntry> {
  const fs = fixtureFs;
  const out = new Map<string, TreeEntry>();
  const inodes = new Map<bigint, string[]>();
  const visit = (path: Buffer, rel: string): void => {
    for (const name of fs.readdirSync(path, { encoding: 'buffer' }).sort((a, b) => Buffer.compare(a, b))) {
      const child = Buffer.concat([path, Buffer.from('/'), name]);
      const key = rel === '' ? name.toString('hex') : `${rel}/${name.toString('hex')}`;
      const st = fs.lstatSync(child, { bigint: true });
      let content = '';
      let type = 'other';
      if (st.isFile()) {
        type = 'file';
        content = fixtureCrypto.createHash('sha256').update(fs.readFileSync(child)).digest('hex');
        if (st.nlink > 1n) inodes.set(st.ino, [...(inodes.get(st.ino) ?? []), key]);
      } else if (st.isSymbolicLink()) {
        type = 'symlink';
        content = fs.readlinkSync(child, { encoding: 'buffer' }).toString('hex');
      } else if (st.isDirectory()) type = 'dir';
      out.set(key, { type, mode: Number(st.mode & 0o7777n), uid: Number(st.uid), gid: Number(st.gid), size: type === 'file' ? Number(st.size) : 0, mtimeUs: st.mtimeNs / 1000n, content, linkGroup: '' });
      if (type === 'dir') visit(child, key);
    }
  };
  visit(Buffer.from(root), '');
  for (const group of inodes.values()) for (const key of group) (out.get(key) as TreeEntry).linkGroup = group.join(',');
  return out;
}
