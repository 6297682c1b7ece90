/**
 * Helpers for tests of the local cluster's kubelet and storage: manifests as plain JSON (created through
 * `KubernetesObjectApi`, so no client-node model class is needed), polling until a condition holds, and the
 * process behind a container.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { Manifest } from './api.js';

/** A pod bound to `nodeName` (as if scheduled) with the given spec fields; labelled `app: test`. */
export function podManifest(name: string, nodeName: string | undefined, spec: Record<string, unknown>, namespace = 'default'): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { app: 'test' } },
    spec: { ...(nodeName === undefined ? {} : { nodeName }), ...spec },
  };
}

/** Reads until `until` holds; fails with the last value seen after `timeoutMs`. */
export async function waitFor<T>(read: () => Promise<T>, until: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      last = await read();
      if (until(last)) return last;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const seen = last === undefined ? String(lastError) : JSON.stringify(last, null, 1).slice(0, 4000);
      throw new Error(`condition not reached within ${timeoutMs} ms; last seen: ${seen}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The pid in a container ID `ferry://<pid>` of the pod's first (or named) container. */
export function containerPid(pod: V1Pod, container?: string): number {
  const status = pod.status?.containerStatuses?.find((s) => container === undefined || s.name === container);
  const match = /^ferry:\/\/(\d+)$/.exec(status?.containerID ?? '');
  if (match?.[1] === undefined) throw new Error(`no process for ${pod.metadata?.name ?? '?'}: ${status?.containerID ?? 'no container ID'}`);
  return Number(match[1]);
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
