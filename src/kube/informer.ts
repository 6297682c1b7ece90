/**
 * An informer: a local cache of one kind of object kept current by list + watch. The watch resumes from the last
 * resourceVersion when the server ends it, and the informer lists again (reporting what changed meanwhile, objects
 * gone meanwhile as deleted) when the version expired or the connection failed, with a back-off, so a restarted API
 * server is survived. Ferry's controllers and the local cluster's components (scheduler, kubelets, ...) use it.
 * Objects are the API's JSON as sent: timestamps are strings even where client-node's types say `Date`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { V1ObjectMeta } from '@kubernetes/client-node';
import type { Logger } from '../util/log.js';
import { errorMessage } from '../util/errors.js';
import type { KubeClient, ListOptions, WatchEvent } from './client.js';
import { isExpired } from './errors.js';
import type { ResourceType } from './resources.js';

export type InformerEventType = 'added' | 'updated' | 'deleted';

export interface InformerOptions<T> extends ListOptions {
  resource: ResourceType;
  /** Watch one namespace; all namespaces (or a cluster-scoped kind) when undefined. */
  namespace?: string | undefined;
  /**
   * Called for every change after the cache was updated; `old` is the cached version before an update or a delete
   * (`undefined` for a delete of an object never seen).
   */
  onEvent?: (type: InformerEventType, obj: T, old: T | undefined) => void;
  logger?: Logger;
  /** Longest wait between reconnect attempts; default 5 s. */
  maxBackoffMs?: number;
}

type Meta = { metadata?: Pick<V1ObjectMeta, 'name' | 'namespace' | 'resourceVersion'> };

export function objectKey(obj: Meta): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}

/** Versions are opaque strings; when both are integers (they are on every real server) older ones are told apart. */
function isOlder(candidate: Meta, current: Meta): boolean {
  const a = candidate.metadata?.resourceVersion ?? '';
  const b = current.metadata?.resourceVersion ?? '';
  if (!/^\d+$/.test(a) || !/^\d+$/.test(b)) return false;
  return BigInt(a) < BigInt(b);
}

export class Informer<T extends Meta> {
  private readonly cache = new Map<string, T>();
  private readonly abort = new AbortController();
  private resourceVersion = '';
  private loop: Promise<void> | undefined;
  private markSynced: () => void = () => undefined;
  /** Resolves once the first list is in the cache. */
  readonly synced: Promise<void>;

  constructor(
    private readonly client: KubeClient,
    private readonly options: InformerOptions<T>,
  ) {
    this.synced = new Promise((resolve) => {
      this.markSynced = resolve;
    });
  }

  start(): this {
    this.loop ??= this.run();
    return this;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  get(name: string, namespace?: string): T | undefined {
    return this.cache.get(`${namespace ?? this.options.namespace ?? ''}/${name}`);
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  /**
   * Puts an object this process just wrote into the cache, so decisions made before its watch event arrives
   * (how many loads run on this node) already see it. An older version never replaces a newer one.
   */
  observe(obj: T): void {
    const key = objectKey(obj);
    const current = this.cache.get(key);
    if (current === undefined || !isOlder(obj, current)) this.cache.set(key, obj);
  }

  private emit(type: InformerEventType, obj: T, old: T | undefined): void {
    try {
      this.options.onEvent?.(type, obj, old);
    } catch (err) {
      this.options.logger?.error({ err: errorMessage(err) }, 'informer event handler failed');
    }
  }

  private async relist(): Promise<void> {
    const { resource, namespace, labelSelector, fieldSelector } = this.options;
    const selectors: ListOptions = {};
    if (labelSelector !== undefined) selectors.labelSelector = labelSelector;
    if (fieldSelector !== undefined) selectors.fieldSelector = fieldSelector;
    const { items, resourceVersion } = await this.client.list<T>(resource, namespace, selectors);
    const seen = new Set<string>();
    for (const item of items) {
      const key = objectKey(item);
      seen.add(key);
      const old = this.cache.get(key);
      this.cache.set(key, item);
      if (old === undefined) this.emit('added', item, undefined);
      else if (old.metadata?.resourceVersion !== item.metadata?.resourceVersion) this.emit('updated', item, old);
    }
    for (const [key, old] of [...this.cache]) {
      if (seen.has(key)) continue;
      this.cache.delete(key);
      this.emit('deleted', old, old);
    }
    this.resourceVersion = resourceVersion;
    this.markSynced();
  }

  private apply({ type, object }: WatchEvent<T>): void {
    if (type === 'BOOKMARK') {
      this.resourceVersion = object.metadata?.resourceVersion ?? this.resourceVersion;
      return;
    }
    this.resourceVersion = object.metadata?.resourceVersion ?? this.resourceVersion;
    const key = objectKey(object);
    const old = this.cache.get(key);
    if (type === 'DELETED') {
      this.cache.delete(key);
      this.emit('deleted', object, old);
      return;
    }
    if (old !== undefined && isOlder(object, old)) return;
    this.cache.set(key, object);
    // The version this process wrote and already observed: nothing new to report.
    if (old !== undefined && old.metadata?.resourceVersion === object.metadata?.resourceVersion) return;
    this.emit(old === undefined ? 'added' : 'updated', object, old);
  }

  private async run(): Promise<void> {
    const { resource, namespace, labelSelector, fieldSelector, logger, maxBackoffMs = 5000 } = this.options;
    const signal = this.abort.signal;
    const stopped = (): boolean => signal.aborted;
    let backoffMs = 250;
    let needList = true;
    while (!signal.aborted) {
      try {
        if (needList) await this.relist();
        needList = false;
        const query = { resourceVersion: this.resourceVersion, ...(labelSelector === undefined ? {} : { labelSelector }), ...(fieldSelector === undefined ? {} : { fieldSelector }) };
        await this.client.watch<T>(resource, namespace, query, (event) => {
          this.apply(event);
        }, signal);
        backoffMs = 250;
      } catch (err) {
        if (stopped()) break;
        needList = true;
        if (!isExpired(err)) {
          logger?.warn({ resource: resource.plural, err: errorMessage(err), retryInMs: backoffMs }, 'watch failed, listing again');
          await sleep(backoffMs, undefined, { signal }).catch(() => undefined);
          backoffMs = Math.min(backoffMs * 2, maxBackoffMs);
        }
      }
    }
  }
}
