/**
 * The watch hub: every open watch, fed synchronously from the store so that a watch started at resourceVersion R
 * gets each later change of its resource exactly once and in order. Selectors apply per watcher, and an object that
 * stops (or starts) matching shows up as DELETED (or ADDED), as on a real server.
 */
import type { ObjectStore } from './store.js';
import type { StoreEvent, StoredObject, WatchEventType } from './types.js';

export interface WatchSink {
  send(type: WatchEventType, object: StoredObject): void;
}

export interface WatchSpec {
  storageKey: string;
  /** Only objects of this namespace; `undefined` for all. */
  namespace: string | undefined;
  matches(obj: StoredObject): boolean;
  sink: WatchSink;
}

interface Watcher extends WatchSpec {
  closed: boolean;
}

export interface WatchHandle {
  stop(): void;
}

export type WatchStart =
  | { ok: true; handle: WatchHandle; initial: StoredObject[] }
  | { ok: false; oldest: number };

export class WatchHub {
  readonly #store: ObjectStore;
  readonly #watchers = new Map<string, Set<Watcher>>();
  readonly #unsubscribe: () => void;

  constructor(store: ObjectStore) {
    this.#store = store;
    this.#unsubscribe = store.subscribe((event) => {
      this.#dispatch(event);
    });
  }

  get size(): number {
    let n = 0;
    for (const set of this.#watchers.values()) n += set.size;
    return n;
  }

  /**
   * Starts a watch. Without a resourceVersion (or with "0") the current objects come back as `initial` (to send as
   * ADDED); from a resourceVersion the changes since then are replayed through the sink first. `ok: false` means
   * that resourceVersion is older than the history kept (410 Expired).
   */
  start(spec: WatchSpec, resourceVersion: number | undefined): WatchStart {
    const watcher: Watcher = { ...spec, closed: false };
    let initial: StoredObject[] = [];
    if (resourceVersion === undefined) {
      initial = this.#store.list(spec.storageKey, spec.namespace).filter((obj) => spec.matches(obj));
    } else {
      const events = this.#store.eventsSince(spec.storageKey, resourceVersion);
      if (events === undefined) return { ok: false, oldest: this.#store.oldestResourceVersion };
      for (const event of events) deliver(watcher, event);
    }
    let set = this.#watchers.get(spec.storageKey);
    if (set === undefined) {
      set = new Set();
      this.#watchers.set(spec.storageKey, set);
    }
    set.add(watcher);
    const handle: WatchHandle = {
      stop: () => {
        watcher.closed = true;
        this.#watchers.get(spec.storageKey)?.delete(watcher);
      },
    };
    return { ok: true, handle, initial };
  }

  close(): void {
    this.#unsubscribe();
    this.#watchers.clear();
  }

  #dispatch(event: StoreEvent): void {
    const set = this.#watchers.get(event.storageKey);
    if (set === undefined) return;
    for (const watcher of set) deliver(watcher, event);
  }
}

function inScope(watcher: Watcher, obj: StoredObject | undefined): boolean {
  if (obj === undefined) return false;
  if (watcher.namespace !== undefined && obj.metadata.namespace !== watcher.namespace) return false;
  return watcher.matches(obj);
}

function deliver(watcher: Watcher, event: StoreEvent): void {
  if (watcher.closed) return;
  const before = event.type !== 'ADDED' && inScope(watcher, event.previous);
  const after = event.type !== 'DELETED' && inScope(watcher, event.object);
  if (before && after) watcher.sink.send('MODIFIED', event.object);
  else if (after) watcher.sink.send('ADDED', event.object);
  else if (before) watcher.sink.send('DELETED', event.object);
}
