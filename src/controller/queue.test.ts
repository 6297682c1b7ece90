import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../util/log.js';
import { WorkQueue, type Requeue } from './queue.js';

const logger = createLogger({ level: 'silent' });

describe('WorkQueue', () => {
  it('handles one key at a time and coalesces adds made meanwhile into one more run', async () => {
    const calls: string[] = [];
    let active = 0;
    let maxActive = 0;
    const queue = new WorkQueue(async (key) => {
      calls.push(key);
      active++;
      maxActive = Math.max(maxActive, active);
      await sleep(20);
      active--;
      return undefined;
    }, logger);
    queue.add('a');
    queue.add('b');
    queue.add('a');
    await sleep(10);
    queue.add('a');
    queue.add('a');
    await sleep(120);
    await queue.stop();
    assert.equal(maxActive, 1);
    assert.deepEqual(calls, ['a', 'b', 'a']);
  });

  it('runs a key again when asked to, and retries failures with a back-off', async () => {
    const calls: number[] = [];
    const started = Date.now();
    let n = 0;
    const queue = new WorkQueue((): Promise<Requeue> => {
      calls.push(Date.now() - started);
      n++;
      if (n === 1) return Promise.resolve(50);
      if (n === 2) return Promise.reject(new Error('transient'));
      return Promise.resolve(undefined);
    }, logger);
    queue.add('x');
    await sleep(800);
    await queue.stop();
    assert.equal(calls.length, 3);
    assert.ok((calls[1] ?? 0) >= 45, 'the requeue waited');
    assert.ok((calls[2] ?? 0) - (calls[1] ?? 0) >= 450, 'the retry backed off');
  });
});
