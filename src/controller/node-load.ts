/**
 * How many data paths run on this node, across every kind of data movement (uploads now, downloads later), against
 * the node's `loadConcurrency` limit. Each controller registers a counter of its own running objects.
 */
export class NodeLoad {
  private readonly counters: (() => number)[] = [];

  constructor(
    /** The limit for this node (`loadConcurrencyForNode`). */
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
