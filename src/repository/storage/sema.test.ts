import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createFileStorage } from './fs.js';
import { Semaphore, withConcurrencyLimit } from './sema.js';

describe('Semaphore', () => {
  it('never runs more than its limit at once and serves waiters in order', async () => {
    const sem = new Semaphore(3);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        sem.run(async () => {
          running++;
          peak = Math.max(peak, running);
          order.push(i);
          await sleep(5);
          running--;
        }),
      ),
    );
    assert.equal(peak, 3);
    assert.deepEqual(order, Array.from({ length: 12 }, (_, i) => i));
  });

  it('lets a waiter give up on abort without losing a slot', async () => {
    const sem = new Semaphore(1);
    const release = await sem.acquire();
    const controller = new AbortController();
    const waiting = sem.acquire(controller.signal);
    controller.abort();
    await assert.rejects(waiting, { name: 'AbortError' });
    release();
    const again = await sem.acquire();
    again();
    assert.throws(() => new Semaphore(0), RangeError);
  });
});

describe('withConcurrencyLimit', () => {
  it('lets a caller read objects from inside a listing even with one slot', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-sema-'));
    try {
      const storage = withConcurrencyLimit(createFileStorage(dir), 1);
      await Promise.all(['index/a', 'index/b', 'index/c'].map((k) => storage.put(k, new TextEncoder().encode(k))));
      const read: string[] = [];
      for await (const info of storage.list('index/')) read.push(new TextDecoder().decode(await storage.get(info.key)));
      assert.deepEqual(read.sort(), ['index/a', 'index/b', 'index/c']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
