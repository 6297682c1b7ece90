/**
 * Following one DataUpload or DataDownload to its end, as `ferry backup|restore create --wait` and the demo do:
 * polling (no watch permission needed beyond get), showing each version seen, and timing it on this machine's clock,
 * since API timestamps have whole seconds only, too coarse for the throughput of a small volume.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeClient } from '../kube/client.js';
import type { DataDownload, DataUpload } from '../kube/crds.js';
import type { ResourceType } from '../kube/resources.js';

const FINAL = new Set(['Completed', 'Failed', 'Canceled']);

export interface FollowOptions<T> {
  namespace: string;
  name: string;
  /** Called with every version read, e.g. to update a progress display. */
  onUpdate?: (current: T) => void;
  /** When the movement was requested (ms since the epoch), for `totalMs`; default: when following starts. */
  startedAt?: number;
  /** Stops the wait (Ctrl-C). */
  signal?: AbortSignal;
  pollMs?: number;
}

export interface FollowedMovement<T> {
  final: T;
  /** From `startedAt` to the final phase. */
  totalMs: number;
  /** From the first InProgress seen to the final phase. */
  movingMs: number;
}

/** Polls the object until its phase is Completed, Failed or Canceled. */
export async function followMovement<T extends DataUpload | DataDownload>(kube: KubeClient, resource: ResourceType, options: FollowOptions<T>): Promise<FollowedMovement<T>> {
  const { namespace, name, onUpdate, startedAt = Date.now(), signal, pollMs = 250 } = options;
  let movingSince: number | undefined;
  for (;;) {
    signal?.throwIfAborted();
    const current = await kube.get<T>(resource, { namespace, name });
    onUpdate?.(current);
    const phase = current.status?.phase ?? 'New';
    if (phase === 'InProgress') movingSince ??= Date.now();
    if (FINAL.has(phase)) {
      const end = Date.now();
      return { final: current, totalMs: end - startedAt, movingMs: end - (movingSince ?? end) };
    }
    await sleep(pollMs, undefined, signal === undefined ? {} : { signal });
  }
}
