/**
 * The one conformance suite every `Storage` implementation runs (restic's `backend/test` idea): the contract in
 * `types.ts`, checked with node:test. A backend joins it with
 * `storageConformance('name', async () => ({ storage, cleanup }))`; each test gets a fresh, empty store.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { StorageError } from './types.js';
import type { ObjectInfo, Storage, StorageErrorCode } from './types.js';

export interface StorageFixture {
  storage: Storage;
  cleanup(): Promise<void>;
  /** False for a server that ignores conditional writes (HEAD-then-PUT races). Default true. */
  atomicIfAbsent?: boolean;
  /**
   * False for a server whose concurrent writes to ONE key can interleave (s3rver writes files in place). Ferry
   * never races on one key — lock keys are random per writer — but S3 and the filesystem backend guarantee it.
   * Default true.
   */
  atomicOverwrite?: boolean;
}

/** Keys a repository never writes but a store must still carry unchanged. */
export const ODD_KEYS = [
  'odd/space in name',
  'odd/ünïcødé-名前',
  'odd/plus+equals=percent%20amp&hash#question?',
  'odd/quote"apostrophe\'backslash\\',
  'odd/star*colon:semi;comma,at@dollar$',
  'odd/tab\tnewline\n',
  'odd/.hidden',
  'odd/trailing.dot.',
  'odd/~tilde',
];

const MANY_KEYS = 1100;

export function storageConformance(name: string, make: () => Promise<StorageFixture>): void {
  const withStorage = (test: (storage: Storage, fixture: StorageFixture) => Promise<void>) => async () => {
    const fixture = await make();
    try {
      await test(fixture.storage, fixture);
    } finally {
      await fixture.storage.close();
      await fixture.cleanup();
    }
  };

  void describe(`${name} storage conformance`, () => {
    void it('round-trips an empty, a small and a 20 MiB object', withStorage(async (storage) => {
      const large = randomBytes(20 * 1024 * 1024);
      const objects = new Map<string, Uint8Array>([
        ['config', new Uint8Array(0)],
        ['index/small', new TextEncoder().encode('hello, storage')],
        ['data/4a/large', large],
      ]);
      for (const [key, data] of objects) await storage.put(key, data);
      for (const [key, data] of objects) {
        const back = await storage.get(key);
        assert.equal(back.byteLength, data.byteLength, key);
        assert.equal(sha256(back), sha256(data), key);
        assert.deepEqual(await storage.stat(key), { key, sizeBytes: data.byteLength });
      }
    }));

    void it('replaces an existing object on a plain put', withStorage(async (storage) => {
      await storage.put('locks/a', bytes('first version, longer'));
      await storage.put('locks/a', bytes('second'));
      assert.equal(text(await storage.get('locks/a')), 'second');
      assert.equal((await storage.stat('locks/a'))?.sizeBytes, 6);
    }));

    void it('refuses to replace an object with ifAbsent and keeps the original', withStorage(async (storage) => {
      await storage.put('keys/k1', bytes('original'), { ifAbsent: true });
      await assertStorageError(storage.put('keys/k1', bytes('intruder'), { ifAbsent: true }), 'Exists', 'keys/k1');
      assert.equal(text(await storage.get('keys/k1')), 'original');
      await storage.put('keys/k2', bytes('new'), { ifAbsent: true });
      assert.equal(text(await storage.get('keys/k2')), 'new');
    }));

    void it('reads byte ranges, including an empty one and the last byte', withStorage(async (storage) => {
      const data = randomBytes(100_000);
      await storage.put('data/00/pack', data);
      assert.deepEqual(await storage.getRange('data/00/pack', 0, 10), new Uint8Array(data.subarray(0, 10)));
      assert.deepEqual(await storage.getRange('data/00/pack', 54_321, 12_345), new Uint8Array(data.subarray(54_321, 66_666)));
      assert.deepEqual(await storage.getRange('data/00/pack', 99_999, 1), new Uint8Array(data.subarray(99_999)));
      assert.equal((await storage.getRange('data/00/pack', 500, 0)).byteLength, 0);
    }));

    void it('reads ranges of the object as it is now, after it was replaced or deleted', withStorage(async (storage) => {
      const first = randomBytes(1000);
      const second = randomBytes(2000);
      await storage.put('index/replaced', first);
      assert.deepEqual(await storage.getRange('index/replaced', 10, 20), new Uint8Array(first.subarray(10, 30)));
      await storage.put('index/replaced', second);
      assert.deepEqual(await storage.getRange('index/replaced', 1500, 20), new Uint8Array(second.subarray(1500, 1520)));
      await storage.delete('index/replaced');
      await assertStorageError(storage.getRange('index/replaced', 0, 1), 'NotFound', 'index/replaced');
    }));

    void it('fails a range that runs past the end instead of returning fewer bytes', withStorage(async (storage) => {
      await storage.put('data/00/short', randomBytes(1000));
      await assertStorageError(storage.getRange('data/00/short', 990, 20), 'NotFound', 'data/00/short');
      await assertStorageError(storage.getRange('data/00/short', 5000, 1), 'NotFound', 'data/00/short');
    }));

    void it('reports a missing key as NotFound and stat as undefined', withStorage(async (storage) => {
      await assertStorageError(storage.get('snapshots/missing'), 'NotFound', 'snapshots/missing');
      await assertStorageError(storage.getRange('snapshots/missing', 0, 1), 'NotFound', 'snapshots/missing');
      assert.equal(await storage.stat('snapshots/missing'), undefined);
      await storage.put('snapshots/present', bytes('x'));
      // A key that is a "directory" of other keys is not an object.
      assert.equal(await storage.stat('snapshots'), undefined);
      await assertStorageError(storage.get('snapshots'), 'NotFound', 'snapshots');
    }));

    void it('deletes objects, and deleting a missing key succeeds', withStorage(async (storage) => {
      await storage.put('locks/l1', bytes('x'));
      await storage.delete('locks/l1');
      assert.equal(await storage.stat('locks/l1'), undefined);
      await assertStorageError(storage.get('locks/l1'), 'NotFound', 'locks/l1');
      await storage.delete('locks/l1');
      assert.deepEqual(await collect(storage.list('locks/')), []);
    }));

    void it('lists every key under a prefix with sizes, recursively', withStorage(async (storage) => {
      await storage.put('data/aa/one', bytes('1'));
      await storage.put('data/ab/two', bytes('22'));
      await storage.put('data/b0/three', bytes('333'));
      await storage.put('index/i1', bytes('4444'));
      await storage.put('config', bytes('55555'));
      assert.deepEqual(await collect(storage.list('data/')), [
        { key: 'data/aa/one', sizeBytes: 1 },
        { key: 'data/ab/two', sizeBytes: 2 },
        { key: 'data/b0/three', sizeBytes: 3 },
      ]);
      assert.deepEqual((await collect(storage.list('data/a'))).map((o) => o.key), ['data/aa/one', 'data/ab/two']);
      assert.deepEqual((await collect(storage.list(''))).map((o) => o.key), [
        'config', 'data/aa/one', 'data/ab/two', 'data/b0/three', 'index/i1',
      ]);
      assert.deepEqual(await collect(storage.list('nothing/')), []);
    }));

    void it(`lists ${MANY_KEYS} keys (more than one S3 page)`, withStorage(async (storage) => {
      const keys = Array.from({ length: MANY_KEYS }, (_, i) => `many/${String(i).padStart(5, '0')}`);
      await inBatches(keys, 32, (key) => storage.put(key, bytes(key)));
      const listed = await collect(storage.list('many/'));
      assert.equal(listed.length, MANY_KEYS);
      assert.deepEqual(listed.map((o) => o.key), keys);
      assert.ok(listed.every((o) => o.sizeBytes === 10));
    }));

    void it('keeps concurrent puts of different keys and of the same key whole', withStorage(async (storage, fixture) => {
      const payloads = Array.from({ length: 16 }, () => randomBytes(256 * 1024));
      await Promise.all(payloads.map((data, i) => storage.put(`data/cc/${i}`, data)));
      for (const [i, data] of payloads.entries()) assert.equal(sha256(await storage.get(`data/cc/${i}`)), sha256(data));
      if (fixture.atomicOverwrite === false) return;
      // Writers racing on one key: the survivor is one of them, never a mix.
      await Promise.all(payloads.map((data) => storage.put('locks/race', data)));
      const survivor = sha256(await storage.get('locks/race'));
      assert.ok(payloads.some((data) => sha256(data) === survivor));
    }));

    void it('lets exactly one of several concurrent ifAbsent puts win', withStorage(async (storage, fixture) => {
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => storage.put('keys/contended', bytes(`writer ${i}`), { ifAbsent: true })),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      if (fixture.atomicIfAbsent === false) {
        assert.ok(won.length >= 1);
        return;
      }
      assert.equal(won.length, 1);
      for (const r of lost) assert.ok(r.reason instanceof StorageError && r.reason.code === 'Exists');
    }));

    void it('stores keys with odd characters unchanged', withStorage(async (storage) => {
      for (const key of ODD_KEYS) await storage.put(key, bytes(key));
      for (const key of ODD_KEYS) assert.equal(text(await storage.get(key)), key);
      assert.deepEqual((await collect(storage.list('odd/'))).map((o) => o.key), [...ODD_KEYS].sort());
    }));

    void it('rejects keys that escape the store or are malformed', withStorage(async (storage) => {
      for (const key of ['', '/abs', '../up', 'a/../b', 'a//b', 'a/', './a', 'a\0b']) {
        await assert.rejects(storage.put(key, bytes('x')), RangeError, JSON.stringify(key));
        await assert.rejects(storage.get(key), RangeError, JSON.stringify(key));
      }
    }));
  });
}

async function assertStorageError(promise: Promise<unknown>, code: StorageErrorCode, key: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof StorageError, `expected a StorageError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    assert.equal(err.key, key);
    return true;
  });
}

async function collect(objects: AsyncIterable<ObjectInfo>): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  for await (const info of objects) out.push(info);
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

async function inBatches<T>(items: T[], size: number, run: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(run));
}

function bytes(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

function text(data: Uint8Array): string {
  return new TextDecoder().decode(data);
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
