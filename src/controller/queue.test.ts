import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { KubeApiError } from '../kube/errors.js';
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

  it('retries a conflict quietly (debug) but warns about other failures', async () => {
    const lines: { level: number; msg: string }[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
        done();
      },
    });
    const errors = [new KubeApiError('Conflict', 'the object has been modified', { status: 409, reason: 'Conflict' }), new Error('boom')];
    let calls = 0;
    const queue = new WorkQueue(() => {
      const err = errors[calls++];
      return err === undefined ? Promise.resolve(undefined) : Promise.reject(err);
    }, pino({ level: 'debug' }, sink));
    queue.add('a');
    for (let waited = 0; calls < 3 && waited < 5000; waited += 50) await sleep(50);
    await queue.stop();
    assert.equal(calls, 3, 'the key is retried after each failure');
    assert.deepEqual(
      lines.map((l) => [l.level, l.msg]),
      [
        [20, 'object changed meanwhile: retrying'],
        [40, 'reconcile failed'],
      ],
    );
  });
});
