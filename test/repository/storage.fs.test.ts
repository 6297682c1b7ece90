import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmod, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { storageConformance } from '../../src/repository/storage/conformance.js';
import { createFileStorage, openStorage, StorageError } from '../../src/repository/storage/index.js';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'ferry-fs-storage-'));
}

async function inTempDir(test: (dir: string) => Promise<void>): Promise<void> {
  const dir = await tempDir();
  try {
    await test(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

storageConformance('filesystem', async () => {
  const dir = await tempDir();
  return { storage: createFileStorage(join(dir, 'repo')), cleanup: () => rm(dir, { recursive: true, force: true }) };
});

describe('filesystem storage', () => {
  it('leaves no temporary file behind and lays keys out as directories', () =>
    inTempDir(async (dir) => {
      const storage = createFileStorage(dir);
      await storage.put('data/ab/abcdef', new Uint8Array([1, 2, 3]));
      await storage.put('data/ab/abcdef', new Uint8Array([4]), { ifAbsent: true }).catch(() => undefined);
      assert.deepEqual(await readdir(join(dir, 'data', 'ab')), ['abcdef']);
    }));

  it('ignores a crashed writer\'s temporary file in list and removes it once stale', () =>
    inTempDir(async (dir) => {
      const storage = createFileStorage(dir);
      await storage.put('index/i1', new Uint8Array([1]));
      const stale = join(dir, 'index', '.ferry-tmp-0123456789abcdef01234567');
      const fresh = join(dir, 'index', '.ferry-tmp-fedcba9876543210fedcba98');
      await writeFile(stale, 'half an obj');
      await writeFile(fresh, 'in flight');
      const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
      await utimes(stale, old, old);
      const keys: string[] = [];
      for await (const info of storage.list('')) keys.push(info.key);
      assert.deepEqual(keys, ['index/i1']);
      // Opening through the URL cleans up (done by close): the stale file goes, the one another writer may still own stays.
      await (await openStorage(`file://${dir}`)).close();
      assert.deepEqual((await readdir(join(dir, 'index'))).sort(), ['.ferry-tmp-fedcba9876543210fedcba98', 'i1']);
      assert.equal(await storage.cleanup({ olderThanMs: 0 }), 1);
      assert.deepEqual(await readdir(join(dir, 'index')), ['i1']);
    }));

  it('maps a permission problem to code Permission', (t) =>
    inTempDir(async (dir) => {
      const locked = join(dir, 'snapshots');
      // Root ignores file modes, but not the immutable attribute.
      const lock = async (on: boolean): Promise<boolean> => {
        if (process.getuid?.() !== 0) {
          await chmod(locked, on ? 0o500 : 0o700);
          return true;
        }
        return spawnSync('chattr', [on ? '+i' : '-i', locked]).status === 0;
      };
      const storage = createFileStorage(dir);
      await storage.put('snapshots/s1', new Uint8Array([1]));
      if (!(await lock(true))) {
        t.skip('cannot make a directory read-only for root here (no chattr)');
        return;
      }
      try {
        await assert.rejects(storage.put('snapshots/s2', new Uint8Array([2])), (err: unknown) => {
          assert.ok(err instanceof StorageError);
          assert.equal(err.code, 'Permission');
          assert.match(err.message, /^cannot write "snapshots\/s2" in file:\/\/.*: (operation not permitted|permission denied)$/);
          return true;
        });
        await assert.rejects(storage.delete('snapshots/s1'), (err: unknown) => err instanceof StorageError && err.code === 'Permission');
      } finally {
        await lock(false);
      }
    }));

  it('leaves no object under its final name when the writer is killed mid-write', () =>
    inTempDir(async (dir) => {
      const fsModule = new URL('../../src/repository/storage/fs.ts', import.meta.url).href;
      const script = `import { createFileStorage } from ${JSON.stringify(fsModule)};
        await createFileStorage(${JSON.stringify(dir)}).put('data/ff/pack', new Uint8Array(1024 * 1024 * 1024));`;
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: 'ignore' });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      try {
        // Kill it as soon as its temporary file has data in it.
        for (let i = 0; i < 1000; i++) {
          const temp = (await readdir(join(dir, 'data', 'ff')).catch(() => [])).find((n) => n.startsWith('.ferry-tmp-'));
          if (temp !== undefined && (await stat(join(dir, 'data', 'ff', temp))).size > 0) break;
          await sleep(10);
        }
      } finally {
        child.kill('SIGKILL');
        await exited;
      }
      const storage = createFileStorage(dir);
      assert.equal(await storage.stat('data/ff/pack'), undefined);
      const listed: string[] = [];
      for await (const info of storage.list('')) listed.push(info.key);
      assert.deepEqual(listed, []);
      assert.equal(await storage.cleanup({ olderThanMs: 0 }), 1);
      await storage.put('data/ff/pack', new Uint8Array([1]), { ifAbsent: true });
      assert.deepEqual(await readdir(join(dir, 'data', 'ff')), ['pack']);
    }));

  it('treats a key whose path runs through a file as missing', () =>
    inTempDir(async (dir) => {
      const storage = createFileStorage(dir);
      await storage.put('config', new Uint8Array([1]));
      await assert.rejects(storage.get('config/inner'), (err: unknown) => err instanceof StorageError && err.code === 'NotFound');
      assert.equal(await storage.stat('config/inner'), undefined);
    }));
});
