import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventHistory } from './history.js';
import type { StoreEvent } from './types.js';

const event = (rv: number, storageKey = 'k'): StoreEvent => ({
  type: 'ADDED',
  resourceVersion: rv,
  storageKey,
  object: { apiVersion: 'v1', kind: 'X', metadata: { name: `o${rv}`, uid: String(rv), resourceVersion: String(rv), creationTimestamp: '' } },
  previous: undefined,
});

describe('EventHistory', () => {
  it('returns the events of one key after a resourceVersion, and undefined once they are dropped', () => {
    const history = new EventHistory(3);
    for (let rv = 1; rv <= 5; rv++) history.append(event(rv, rv % 2 === 0 ? 'even' : 'odd'));
    assert.equal(history.oldestStart, 2);
    assert.deepEqual(history.since('odd', 2, 5)?.map((e) => e.resourceVersion), [3, 5]);
    assert.deepEqual(history.since('even', 3, 5)?.map((e) => e.resourceVersion), [4]);
    assert.deepEqual(history.since('odd', 5, 5), []);
    assert.equal(history.since('odd', 1, 5), undefined);
  });
});
