/**
 * kube-scheduler's scheduling queue, reduced to what a small cluster needs. A pending pod is *active* (ready to be
 * tried), *backing off* after a failed attempt (1 s, doubling up to 10 s by default), *unschedulable* (waiting for a
 * cluster change that could help: the plugins that rejected it say which, as queueing hints do) or *in flight*
 * (being scheduled or bound). Active pods pop by priority, then by arrival; when none is active, a pod that a
 * cluster change released pops before its backoff ends (kube-scheduler's PopFromBackoffQ), so a label or a
 * cordon change takes effect at once. A slow timer retries unschedulable pods anyway. A change seen while a pod
 * was in flight sends it to backoff instead of unschedulable, so that change is not missed.
 */

/** A change in the cluster, as the queue's hints tell them apart. */
export type ClusterEvent = 'NodeAdd' | 'NodeUpdate' | 'AssignedPodAdd' | 'AssignedPodUpdate' | 'AssignedPodDelete' | 'VolumeChange';

/** Which changes can make a pod that a plugin rejected schedulable (each plugin's `EventsToRegister`). */
const HINTS: Readonly<Record<string, readonly ClusterEvent[]>> = {
  NodeUnschedulable: ['NodeAdd', 'NodeUpdate'],
  TaintToleration: ['NodeAdd', 'NodeUpdate'],
  NodeAffinity: ['NodeAdd', 'NodeUpdate'],
  NodeResourcesFit: ['NodeAdd', 'NodeUpdate', 'AssignedPodDelete'],
  VolumeBinding: ['NodeAdd', 'NodeUpdate', 'VolumeChange'],
  PodTopologySpread: ['NodeAdd', 'NodeUpdate', 'AssignedPodAdd', 'AssignedPodUpdate', 'AssignedPodDelete'],
};

export interface QueueOptions {
  /** The pod's priority, read when choosing what to pop next. */
  priorityOf(key: string): number;
  initialBackoffMs?: number | undefined;
  maxBackoffMs?: number | undefined;
  /** Unschedulable pods are retried after this long even without a cluster change. */
  unschedulableRetryMs?: number | undefined;
}

type State = 'active' | 'backoff' | 'unschedulable' | 'inFlight';

interface Entry {
  key: string;
  state: State;
  attempts: number;
  addedAt: number;
  /** When the backoff of the last failure ends. */
  readyAt: number;
  /** When the pod became unschedulable. */
  since: number;
  /** The plugins that rejected the last attempt; empty after an error. */
  rejectedBy: ReadonlySet<string>;
  /** Released from unschedulable by a cluster change: may pop before its backoff ends. */
  released: boolean;
  /** The pod changed while in flight: a failure of that attempt is retried after backoff. */
  changed: boolean;
}

/** What `pop` hands out: `cycle` is passed back to {@link SchedulingQueue.failed}. */
export interface Popped {
  key: string;
  cycle: number;
}

export class SchedulingQueue {
  private readonly entries = new Map<string, Entry>();
  private moveCycle = 0;
  private wake: (() => void) | undefined;
  private closed = false;
  private backoffTimer: NodeJS.Timeout | undefined;
  private readonly flushTimer: NodeJS.Timeout;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly unschedulableRetryMs: number;

  constructor(private readonly options: QueueOptions) {
    this.initialBackoffMs = options.initialBackoffMs ?? 1_000;
    this.maxBackoffMs = options.maxBackoffMs ?? 10_000;
    this.unschedulableRetryMs = options.unschedulableRetryMs ?? 60_000;
    this.flushTimer = setInterval(
      () => {
        this.flushUnschedulable();
      },
      Math.max(this.unschedulableRetryMs / 4, 50),
    ).unref();
  }

  /** A pending pod appeared or changed in a way that may matter: try it. */
  activate(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) {
      this.entries.set(key, { key, state: 'active', attempts: 0, addedAt: Date.now(), readyAt: 0, since: 0, rejectedBy: new Set(), released: false, changed: false });
      this.wake?.();
    } else if (entry.state === 'unschedulable') {
      this.release(entry, Date.now());
    } else if (entry.state === 'inFlight') {
      entry.changed = true;
    }
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** The pod is bound, deleted or no longer ours. */
  remove(key: string): void {
    this.entries.delete(key);
  }

  /** A cluster change: releases the unschedulable pods whose rejecting plugins care about it. */
  moveAll(event: ClusterEvent): void {
    this.moveCycle += 1;
    const now = Date.now();
    for (const entry of this.entries.values()) {
      if (entry.state !== 'unschedulable') continue;
      const helps = entry.rejectedBy.size === 0 || [...entry.rejectedBy].some((plugin) => HINTS[plugin]?.includes(event) ?? true);
      if (helps) this.release(entry, now);
    }
  }

  /**
   * The attempt failed. `rejectedBy` names the plugins that rejected the pod; `undefined` means an error, which is
   * only retried once its backoff ends.
   */
  failed(key: string, cycle: number, rejectedBy: ReadonlySet<string> | undefined): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    const now = Date.now();
    entry.attempts += 1;
    entry.readyAt = now + Math.min(this.initialBackoffMs * 2 ** (entry.attempts - 1), this.maxBackoffMs);
    entry.rejectedBy = rejectedBy ?? new Set();
    const missedChange = this.moveCycle > cycle || entry.changed;
    entry.changed = false;
    entry.released = false;
    if (rejectedBy !== undefined && !missedChange) {
      entry.state = 'unschedulable';
      entry.since = now;
    } else {
      entry.state = 'backoff';
      entry.released = rejectedBy !== undefined;
      this.armBackoffTimer();
      this.wake?.();
    }
  }

  /** The next pod to try; `undefined` once closed. */
  async pop(): Promise<Popped | undefined> {
    for (;;) {
      if (this.closed) return undefined;
      const next = this.pick('active') ?? this.pick('backoff');
      if (next !== undefined) {
        next.state = 'inFlight';
        return { key: next.key, cycle: this.moveCycle };
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = undefined;
    }
  }

  close(): void {
    this.closed = true;
    clearInterval(this.flushTimer);
    clearTimeout(this.backoffTimer);
    this.wake?.();
  }

  /** The highest-priority, then oldest, active pod; or, from backoff, one a cluster change released. */
  private pick(state: 'active' | 'backoff'): Entry | undefined {
    let best: { entry: Entry; priority: number } | undefined;
    for (const entry of this.entries.values()) {
      if (entry.state !== state || (state === 'backoff' && !entry.released)) continue;
      const priority = this.options.priorityOf(entry.key);
      if (best === undefined || priority > best.priority || (priority === best.priority && entry.addedAt < best.entry.addedAt)) best = { entry, priority };
    }
    return best?.entry;
  }

  private release(entry: Entry, now: number): void {
    entry.released = true;
    entry.state = entry.readyAt > now ? 'backoff' : 'active';
    if (entry.state === 'backoff') this.armBackoffTimer();
    this.wake?.();
  }

  private armBackoffTimer(): void {
    clearTimeout(this.backoffTimer);
    if (this.closed) return;
    const waiting = [...this.entries.values()].filter((e) => e.state === 'backoff');
    if (waiting.length === 0) return;
    const due = Math.min(...waiting.map((e) => e.readyAt));
    this.backoffTimer = setTimeout(
      () => {
        const now = Date.now();
        for (const e of this.entries.values()) if (e.state === 'backoff' && e.readyAt <= now) e.state = 'active';
        this.wake?.();
        this.armBackoffTimer();
      },
      Math.max(due - Date.now(), 0),
    ).unref();
  }

  private flushUnschedulable(): void {
    const now = Date.now();
    for (const entry of this.entries.values()) {
      if (entry.state === 'unschedulable' && now - entry.since >= this.unschedulableRetryMs) this.release(entry, now);
    }
  }
}
