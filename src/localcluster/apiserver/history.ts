/**
 * The bounded event history behind watches and consistent list pages, like etcd's compacted log: it keeps the last
 * `capacity` changes across all resources; a client asking for anything older gets 410 Expired.
 */
import type { StoreEvent } from './types.js';

export class EventHistory {
  readonly #capacity: number;
  readonly #ring: (StoreEvent | undefined)[];
  #start = 0;
  #size = 0;
  /** The resourceVersion of the oldest event kept; events are contiguous because every change takes the next one. */
  #oldest = 1;

  constructor(capacity: number) {
    this.#capacity = Math.max(1, capacity);
    this.#ring = new Array<StoreEvent | undefined>(this.#capacity);
  }

  append(event: StoreEvent): void {
    if (this.#size === 0) this.#oldest = event.resourceVersion;
    if (this.#size < this.#capacity) {
      this.#ring[(this.#start + this.#size) % this.#capacity] = event;
      this.#size++;
    } else {
      this.#ring[this.#start] = event;
      this.#start = (this.#start + 1) % this.#capacity;
      this.#oldest++;
    }
  }

  /** The oldest resourceVersion a client may still start from (exclusive): everything after it is kept. */
  get oldestStart(): number {
    return this.#oldest - 1;
  }

  /**
   * Events of one storage key after `resourceVersion`, oldest first, or `undefined` when some of them were dropped.
   * `current` is the store's latest resourceVersion (the history may be empty at start).
   */
  since(storageKey: string, resourceVersion: number, current: number): StoreEvent[] | undefined {
    if (resourceVersion >= current) return [];
    if (this.#size === 0 || resourceVersion < this.#oldest - 1) return undefined;
    const out: StoreEvent[] = [];
    for (let i = resourceVersion + 1 - this.#oldest; i < this.#size; i++) {
      const event = this.#ring[(this.#start + i) % this.#capacity];
      if (event !== undefined && event.storageKey === storageKey) out.push(event);
    }
    return out;
  }
}
