/**
 * The in-memory object store: every object of every resource, one global resourceVersion counter (as etcd's
 * revision) and synchronous change notification. Mutations are synchronous, so each one is atomic with respect to
 * concurrent requests; callers never mutate an object once stored (a write stores a new object).
 */
import { EventHistory } from './history.js';
import type { KubeObject, StoreEvent, StoredObject } from './types.js';

type Bucket = { objects: Map<string, StoredObject>; sorted: string[] | undefined };

export type StoreListener = (event: StoreEvent) => void;

/** An object ready to store: everything but the resourceVersion the store assigns. */
export type Storable = KubeObject & { metadata: { name: string; uid: string; creationTimestamp: string } };

function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

export class ObjectStore {
  #rv = 0;
  readonly #buckets = new Map<string, Bucket>();
  readonly #uids = new Map<string, { storageKey: string; key: string }>();
  readonly #history: EventHistory;
  readonly #listeners = new Set<StoreListener>();

  constructor({ historySize = 10_000 }: { historySize?: number } = {}) {
    this.#history = new EventHistory(historySize);
  }

  get resourceVersion(): number {
    return this.#rv;
  }

  get oldestResourceVersion(): number {
    return this.#history.oldestStart;
  }

  get(storageKey: string, namespace: string | undefined, name: string): StoredObject | undefined {
    return this.#buckets.get(storageKey)?.objects.get(objectKey(namespace, name));
  }

  getByUid(uid: string): StoredObject | undefined {
    return this.locate(uid)?.object;
  }

  /** The object with this uid and the storage key it lives under. */
  locate(uid: string): { storageKey: string; object: StoredObject } | undefined {
    const at = this.#uids.get(uid);
    const object = at === undefined ? undefined : this.#buckets.get(at.storageKey)?.objects.get(at.key);
    return at === undefined || object === undefined ? undefined : { storageKey: at.storageKey, object };
  }

  count(storageKey: string): number {
    return this.#buckets.get(storageKey)?.objects.size ?? 0;
  }

  /** Objects ordered by namespace then name (etcd key order), optionally of one namespace. */
  list(storageKey: string, namespace?: string): StoredObject[] {
    const bucket = this.#buckets.get(storageKey);
    if (bucket === undefined) return [];
    const keys = sortedKeys(bucket);
    const out: StoredObject[] = [];
    const prefix = namespace === undefined ? '' : `${namespace}/`;
    for (let i = prefix === '' ? 0 : lowerBound(keys, prefix); i < keys.length; i++) {
      const key = keys[i] ?? '';
      if (!key.startsWith(prefix)) break;
      const obj = bucket.objects.get(key);
      if (obj !== undefined) out.push(obj);
    }
    return out;
  }

  /**
   * The list as it was at `resourceVersion`, rebuilt by undoing later changes, or `undefined` when the history no
   * longer reaches back that far.
   */
  listAt(storageKey: string, resourceVersion: number, namespace?: string): StoredObject[] | undefined {
    if (resourceVersion >= this.#rv) return this.list(storageKey, namespace);
    const events = this.#history.since(storageKey, resourceVersion, this.#rv);
    if (events === undefined) return undefined;
    const objects = new Map(this.#buckets.get(storageKey)?.objects);
    for (let i = events.length - 1; i >= 0; i--) {
      const event = events[i];
      if (event === undefined) continue;
      const key = objectKey(event.object.metadata.namespace, event.object.metadata.name);
      if (event.previous === undefined) objects.delete(key);
      else objects.set(key, event.previous);
    }
    const prefix = namespace === undefined ? '' : `${namespace}/`;
    return [...objects.keys()]
      .filter((k) => k.startsWith(prefix))
      .sort(compareKeys)
      .flatMap((k) => objects.get(k) ?? []);
  }

  /** Changes of one storage key after `resourceVersion`, or `undefined` when they are no longer all known. */
  eventsSince(storageKey: string, resourceVersion: number): StoreEvent[] | undefined {
    return this.#history.since(storageKey, resourceVersion, this.#rv);
  }

  /** Stores `obj` (new or replacing one with the same namespace and name) under the next resourceVersion. */
  put(storageKey: string, obj: Storable): StoreEvent {
    const bucket = this.#bucket(storageKey);
    const key = objectKey(obj.metadata.namespace, obj.metadata.name);
    const previous = bucket.objects.get(key);
    const rv = ++this.#rv;
    const stored: StoredObject = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rv) } };
    bucket.objects.set(key, stored);
    if (previous === undefined) {
      bucket.sorted = undefined;
      this.#uids.set(stored.metadata.uid, { storageKey, key });
    }
    return this.#emit({ type: previous === undefined ? 'ADDED' : 'MODIFIED', resourceVersion: rv, storageKey, object: stored, previous });
  }

  /** Removes an object; the DELETED event shows `finalState` (e.g. with the last finalizer gone) when given. */
  remove(storageKey: string, namespace: string | undefined, name: string, finalState?: Storable): StoreEvent | undefined {
    const bucket = this.#buckets.get(storageKey);
    const key = objectKey(namespace, name);
    const previous = bucket?.objects.get(key);
    if (bucket === undefined || previous === undefined) return undefined;
    bucket.objects.delete(key);
    bucket.sorted = undefined;
    this.#uids.delete(previous.metadata.uid);
    const rv = ++this.#rv;
    // The DELETED event carries the last state with the deletion's resourceVersion, as a real server sends it.
    const last = finalState ?? previous;
    const object: StoredObject = { ...last, metadata: { ...last.metadata, resourceVersion: String(rv) } };
    return this.#emit({ type: 'DELETED', resourceVersion: rv, storageKey, object, previous });
  }

  subscribe(listener: StoreListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(event: StoreEvent): StoreEvent {
    this.#history.append(event);
    for (const listener of this.#listeners) listener(event);
    return event;
  }

  #bucket(storageKey: string): Bucket {
    let bucket = this.#buckets.get(storageKey);
    if (bucket === undefined) {
      bucket = { objects: new Map(), sorted: undefined };
      this.#buckets.set(storageKey, bucket);
    }
    return bucket;
  }
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedKeys(bucket: Bucket): string[] {
  bucket.sorted ??= [...bucket.objects.keys()].sort(compareKeys);
  return bucket.sorted;
}

function lowerBound(keys: readonly string[], target: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] ?? '') < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
