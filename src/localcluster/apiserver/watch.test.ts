import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectStore } from './store.js';
import { WatchHub } from './watch.js';

const cm = (name: string, labels: Record<string, string>, namespace = 'a') => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { namespace, name, labels, uid: `${namespace}/${name}`, creationTimestamp: '' },
});

describe('WatchHub', () => {
  it('replays changes since a resourceVersion, then follows live ones, filtered and with selector transitions', () => {
    const store = new ObjectStore();
    const hub = new WatchHub(store);
    store.put('cm', cm('x', { app: 'web' }));
    const from = store.resourceVersion;
    store.put('cm', cm('y', { app: 'web' }));
    store.put('cm', cm('z', { app: 'web' }, 'other'));
    const seen: string[] = [];
    const started = hub.start(
      { storageKey: 'cm', namespace: 'a', matches: (o) => o.metadata.labels?.['app'] === 'web', sink: { send: (type, o) => seen.push(`${type} ${o.metadata.name}`) } },
      from,
    );
    assert.ok(started.ok);
    store.put('cm', cm('x', { app: 'db' }));
    store.put('cm', cm('x', { app: 'web' }));
    store.put('cm', cm('q', { app: 'db' }));
    store.remove('cm', 'a', 'y');
    started.handle.stop();
    store.put('cm', cm('late', { app: 'web' }));
    assert.deepEqual(seen, ['ADDED y', 'DELETED x', 'ADDED x', 'DELETED y']);
    assert.equal(hub.size, 0);
  });

  it('starts from the current objects without a resourceVersion and refuses a compacted one', () => {
    const store = new ObjectStore({ historySize: 2 });
    const hub = new WatchHub(store);
    for (const name of ['a', 'b', 'c']) store.put('cm', cm(name, {}));
    const fresh = hub.start({ storageKey: 'cm', namespace: undefined, matches: () => true, sink: { send: () => undefined } }, undefined);
    assert.ok(fresh.ok);
    assert.deepEqual(fresh.initial.map((o) => o.metadata.name), ['a', 'b', 'c']);
    const old = hub.start({ storageKey: 'cm', namespace: undefined, matches: () => true, sink: { send: () => undefined } }, 0);
    assert.deepEqual(old, { ok: false, oldest: 1 });
  });
});
