/**
 * A watch-only informer: a cache of one resource kept current through a single watch that starts with the current
 * objects (`sendInitialEvents`, ended by the `k8s.io/initial-events-end` bookmark), resumes from the last
 * resourceVersion when the stream ends, and starts over after 410 Expired, reporting objects that vanished
 * meanwhile as DELETED. Objects are the API's JSON as sent: timestamps are strings even where client-node's types
 * say `Date` (client-node's own ListWatch mixes deserialized list items with raw watch objects).
 */
import { Watch, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from '../../util/log.js';

export type InformerEvent = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface InformerOptions<T> {
  /** The collection to watch, e.g. `/api/v1/pods` or `/apis/snapshot.storage.k8s.io/v1/volumesnapshots`. */
  path: string;
  fieldSelector?: string;
  labelSelector?: string;
  /** Called for each change after the cache holds it; `old` is the cached object before a MODIFIED or DELETED. */
  onEvent(type: InformerEvent, obj: T, old: T | undefined): void;
  logger: Logger;
}

export interface Informer<T> {
  get(name: string, namespace?: string): T | undefined;
  list(): T[];
  /** Resolves once the objects that existed at start have been delivered. */
  readonly synced: Promise<void>;
  stop(): void;
}

const INITIAL_EVENTS_END = 'k8s.io/initial-events-end';
const RETRY_MIN_MS = 200;
const RETRY_MAX_MS = 5000;

export function objectKey(obj: KubernetesObject): string {
  const namespace = obj.metadata?.namespace ?? '';
  const name = obj.metadata?.name ?? '';
  return namespace === '' ? name : `${namespace}/${name}`;
}

function isObject(value: unknown): value is KubernetesObject & { metadata: { resourceVersion?: string } } {
  return typeof value === 'object' && value !== null && typeof (value as { metadata?: unknown }).metadata === 'object';
}

function statusCode(value: unknown): number | undefined {
  return typeof value === 'object' && value !== null && typeof (value as { code?: unknown }).code === 'number' ? (value as { code: number }).code : undefined;
}

export function startInformer<T extends KubernetesObject>(kc: KubeConfig, options: InformerOptions<T>): Informer<T> {
  const { path, fieldSelector, labelSelector, logger } = options;
  const watch = new Watch(kc);
  const cache = new Map<string, T>();
  let resourceVersion = '';
  let stopped = false;
  let abort: AbortController | undefined;
  let retryMs = RETRY_MIN_MS;
  let retryTimer: NodeJS.Timeout | undefined;
  let markSynced!: () => void;
  const synced = new Promise<void>((resolve) => {
    markSynced = resolve;
  });

  const apply = (type: InformerEvent, obj: T): void => {
    const key = objectKey(obj);
    const old = cache.get(key);
    if (type === 'DELETED') {
      if (old === undefined) return;
      cache.delete(key);
      options.onEvent('DELETED', obj, old);
      return;
    }
    if (old !== undefined && old.metadata?.resourceVersion === obj.metadata?.resourceVersion) return;
    cache.set(key, obj);
    options.onEvent(old === undefined ? 'ADDED' : 'MODIFIED', obj, old);
  };

  const connect = async (): Promise<void> => {
    // Objects seen in the initial events; what the cache holds beyond them was deleted while we were away.
    let initial: Set<string> | undefined = resourceVersion === '' ? new Set() : undefined;
    const params =
      initial === undefined
        ? { resourceVersion, allowWatchBookmarks: true, fieldSelector, labelSelector }
        : { sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan', allowWatchBookmarks: true, fieldSelector, labelSelector };
    const onLine = (phase: string, raw: unknown): void => {
      if (stopped) return;
      if (phase === 'ERROR') {
        if (statusCode(raw) === 410) resourceVersion = '';
        return;
      }
      if (!isObject(raw)) return;
      resourceVersion = raw.metadata.resourceVersion ?? resourceVersion;
      if (phase === 'BOOKMARK') {
        if (initial !== undefined && raw.metadata.annotations?.[INITIAL_EVENTS_END] === 'true') {
          for (const [key, obj] of [...cache]) if (!initial.has(key)) apply('DELETED', obj);
          initial = undefined;
          markSynced();
        }
        return;
      }
      if (phase !== 'ADDED' && phase !== 'MODIFIED' && phase !== 'DELETED') return;
      const obj = raw as T;
      initial?.add(objectKey(obj));
      retryMs = RETRY_MIN_MS;
      apply(phase, obj);
    };
    const stream = { finished: false };
    const onDone = (err: unknown): void => {
      stream.finished = true;
      abort = undefined;
      if (stopped) return;
      if (err !== null && err !== undefined) {
        logger.debug({ path, err: err instanceof Error ? err.message : JSON.stringify(err) }, 'watch failed; retrying');
        if (statusCode(err) === 410 || (err as { statusCode?: unknown }).statusCode === 410) resourceVersion = '';
      }
      retryTimer = setTimeout(() => {
        retryTimer = undefined;
        void connect();
      }, err === null || err === undefined ? 0 : retryMs);
      retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
    };
    try {
      const controller = await watch.watch(path, params, onLine, onDone);
      if (stopped) controller.abort();
      else if (!stream.finished) abort = controller;
    } catch (err) {
      onDone(err);
    }
  };
  void connect();

  return {
    get: (name, namespace = '') => cache.get(namespace === '' ? name : `${namespace}/${name}`),
    list: () => [...cache.values()],
    synced,
    stop() {
      stopped = true;
      if (retryTimer !== undefined) clearTimeout(retryTimer);
      abort?.abort();
      abort = undefined;
    },
  };
}
