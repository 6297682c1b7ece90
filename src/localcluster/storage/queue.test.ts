import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../util/log.js';
import { Retry, WorkQueue } from './queue.js';

const logger = createLogger({ level: 'silent' });
const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('WorkQueue', () => {
  it('handles nothing before start, then each added key once however often it was added', async () => {
    const seen: string[] = [];
    const q = new WorkQueue(async (key) => {
      seen.push(key);
      await tick(1);
    }, { logger });
    q.add('a');
    q.add('a');
    q.add('b');
    await tick(10);
    assert.deepEqual(seen, []);
    q.start();
    await tick(20);
    assert.deepEqual(seen.sort(), ['a', 'b']);
    await q.stop();
  });

  it('handles a key added during its handling once more afterwards, never twice at the same time', async () => {
    let running = 0;
    let maxRunning = 0;
    let calls = 0;
    const q = new WorkQueue(async () => {
      calls++;
      running++;
      maxRunning = Math.max(maxRunning, running);
      if (calls === 1) q.add('k');
      await tick(5);
      running--;
    }, { logger, concurrency: 4 });
    q.start();
    q.add('k');
    await tick(40);
    assert.equal(calls, 2);
    assert.equal(maxRunning, 1);
    await q.stop();
  });

  it('retries a failing key with back-off until it succeeds', async () => {
    const attempts: number[] = [];
    const q = new WorkQueue(async () => {
      attempts.push(Date.now());
      await Promise.resolve();
      if (attempts.length < 3) throw new Retry('not yet');
    }, { logger, retryMinMs: 20, retryMaxMs: 100 });
    q.start();
    q.add('k');
    await tick(200);
    assert.equal(attempts.length, 3);
    const [first = 0, second = 0, third = 0] = attempts;
    assert.ok(second - first >= 15 && third - second >= 35, `back-off doubles: ${second - first} ms, ${third - second} ms`);
    await q.stop();
  });
});
