import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { SchedulingQueue, type Popped } from './queue.js';

const PENDING = 'pending';

async function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof PENDING> {
  const timeout = sleep(ms).then((): typeof PENDING => PENDING);
  return Promise.race([promise, timeout]);
}

function queue(priorities: Record<string, number> = {}, backoff = { initialBackoffMs: 150, maxBackoffMs: 150 }): SchedulingQueue {
  return new SchedulingQueue({ priorityOf: (key) => priorities[key] ?? 0, unschedulableRetryMs: 60_000, ...backoff });
}

async function popKey(q: SchedulingQueue): Promise<string | undefined> {
  return (await q.pop())?.key;
}

describe('scheduling queue', () => {
  it('pops the highest priority first, then in arrival order', async () => {
    const q = queue({ 'ns/high': 10 });
    q.activate('ns/a');
    q.activate('ns/b');
    q.activate('ns/high');
    assert.deepEqual([await popKey(q), await popKey(q), await popKey(q)], ['ns/high', 'ns/a', 'ns/b']);
    q.close();
  });

  it('keeps an unschedulable pod until a change its rejecting plugin cares about, then retries it at once', async () => {
    const q = queue({}, { initialBackoffMs: 60_000, maxBackoffMs: 60_000 });
    q.activate('ns/p');
    const first = (await q.pop()) as Popped;
    q.failed(first.key, first.cycle, new Set(['NodeAffinity']));
    const next = q.pop();
    q.moveAll('AssignedPodAdd');
    assert.equal(await within(next, 100), PENDING, 'a new pod elsewhere cannot fix node affinity');
    q.moveAll('NodeUpdate');
    // Released by the node change and nothing else waiting: it pops although its backoff has not ended.
    assert.equal((await within(next, 1_000)) === PENDING ? PENDING : 'popped', 'popped');
    q.close();
  });

  it('retries after the backoff when the attempt failed with an error', async () => {
    const q = queue();
    q.activate('ns/p');
    const first = (await q.pop()) as Popped;
    const failedAt = Date.now();
    q.failed(first.key, first.cycle, undefined);
    assert.equal(await popKey(q), 'ns/p');
    assert.ok(Date.now() - failedAt >= 140, 'waited for the backoff');
    q.close();
  });

  it('does not lose a cluster change that happened while the pod was being scheduled', async () => {
    const q = queue();
    q.activate('ns/p');
    const first = (await q.pop()) as Popped;
    q.moveAll('NodeUpdate');
    q.failed(first.key, first.cycle, new Set(['NodeAffinity']));
    assert.equal(await within(popKey(q), 1_000), 'ns/p');
    q.close();
  });

  it('a pod changed while in flight is retried even if its attempt failed', async () => {
    const q = queue();
    q.activate('ns/p');
    const first = (await q.pop()) as Popped;
    q.activate('ns/p');
    q.failed(first.key, first.cycle, new Set(['TaintToleration']));
    assert.equal(await within(popKey(q), 1_000), 'ns/p');
    q.close();
  });

  it('forgets removed pods and ends pop on close', async () => {
    const q = queue();
    q.activate('ns/gone');
    q.remove('ns/gone');
    const next = q.pop();
    assert.equal(await within(next, 50), PENDING);
    q.close();
    assert.equal(await next, undefined);
  });

  it('retries unschedulable pods periodically without any change', async () => {
    const q = new SchedulingQueue({ priorityOf: () => 0, initialBackoffMs: 10, maxBackoffMs: 10, unschedulableRetryMs: 200 });
    q.activate('ns/p');
    const first = (await q.pop()) as Popped;
    q.failed(first.key, first.cycle, new Set(['NodeAffinity']));
    const next = q.pop();
    assert.equal(await within(next, 100), PENDING);
    assert.equal((await within(next, 1_000)) === PENDING ? PENDING : 'popped', 'popped');
    q.close();
  });
});
