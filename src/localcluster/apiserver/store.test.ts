import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectStore } from './store.js';

const cm = (namespace: string, name: string, data: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { namespace, name, uid: `${namespace}-${name}`, creationTimestamp: '2026-01-01T00:00:00Z' },
  data,
});

describe('ObjectStore', () => {
  it('gives every change the next resourceVersion and emits it to listeners', () => {
    const store = new ObjectStore();
    const seen: string[] = [];
    store.subscribe((e) => seen.push(`${e.type} ${e.object.metadata.name} ${e.resourceVersion}`));
    store.put('cm', cm('a', 'x'));
    store.put('cm', cm('a', 'x', { k: 'v' }));
    store.remove('cm', 'a', 'x');
    assert.deepEqual(seen, ['ADDED x 1', 'MODIFIED x 2', 'DELETED x 3']);
    assert.equal(store.resourceVersion, 3);
    assert.equal(store.get('cm', 'a', 'x'), undefined);
  });

  it('lists in namespace/name order, optionally one namespace', () => {
    const store = new ObjectStore();
    for (const [ns, name] of [['b', 'z'], ['a', 'y'], ['b', 'a'], ['ab', 'q']] as const) store.put('cm', cm(ns, name));
    assert.deepEqual(store.list('cm').map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`), ['a/y', 'ab/q', 'b/a', 'b/z']);
    assert.deepEqual(store.list('cm', 'b').map((o) => o.metadata.name), ['a', 'z']);
    assert.deepEqual(store.list('cm', 'a').map((o) => o.metadata.name), ['y']);
  });

  it('rebuilds the list as of an older resourceVersion until the history is compacted', () => {
    const store = new ObjectStore({ historySize: 4 });
    store.put('cm', cm('a', 'x', { v: '1' }));
    store.put('cm', cm('a', 'y'));
    const at = store.resourceVersion;
    store.put('cm', cm('a', 'x', { v: '2' }));
    store.remove('cm', 'a', 'y');
    store.put('cm', cm('a', 'z'));
    const then = store.listAt('cm', at);
    assert.deepEqual(then?.map((o) => [o.metadata.name, o['data']]), [['x', { v: '1' }], ['y', {}]]);
    store.put('cm', cm('a', 'w'));
    store.put('cm', cm('a', 'v'));
    assert.equal(store.listAt('cm', at), undefined);
    assert.equal(store.eventsSince('cm', at), undefined);
  });

  it('finds objects by uid and shows the final state in the DELETED event when given', () => {
    const store = new ObjectStore();
    store.put('cm', { ...cm('a', 'x'), metadata: { ...cm('a', 'x').metadata, finalizers: ['f'] } });
    assert.equal(store.locate('a-x')?.storageKey, 'cm');
    const event = store.remove('cm', 'a', 'x', cm('a', 'x'));
    assert.equal(event?.object.metadata.finalizers, undefined);
    assert.deepEqual(event?.previous?.metadata.finalizers, ['f']);
    assert.equal(store.getByUid('a-x'), undefined);
  });
});
