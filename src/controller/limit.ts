/**
 * A limit on a sum that several controllers contribute to: each registers a counter of its own objects (uploads and
 * downloads alike), and the limit applies to the total. Two are used: the node's `loadConcurrency` (data paths
 * running on this node) and `loadConcurrency.prepareQueueLength` (data movements being prepared, on any node).
 */
export class SharedLimit {
  private readonly counters: (() => number)[] = [];

  constructor(
    /** The most there may be; `Infinity` when unlimited. */
    readonly limit: number,
  ) {}

  register(count: () => number): void {
    this.counters.push(count);
  }

  inUse(): number {
    return this.counters.reduce((sum, count) => sum + count(), 0);
  }

  hasRoom(): boolean {
    return this.inUse() < this.limit;
  }
}
