/**
 * Resource amounts as the scheduler counts them: CPU in millicores (rounded up, like `Quantity.MilliValue`), every
 * other resource in whole units (bytes, pods, devices; rounded up like `Quantity.Value`).
 */
import type { V1Container, V1Node, V1Pod } from '@kubernetes/client-node';
import { parseQuantity } from '../../config/quantity.js';

export type ResourceAmounts = Map<string, number>;

export const CPU = 'cpu';
export const MEMORY = 'memory';
export const PODS = 'pods';

/** The amounts the scoring plugins assume for a container that requests no CPU or memory (`schedutil.DefaultMilliCPURequest` …). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

// Rounds away the binary-to-decimal noise of the parsed double before rounding up (0.1 * 1000 is not exactly 100).
function ceilClean(value: number): number {
  return Math.ceil(Math.round(value * 1e6) / 1e6);
}

/** One quantity in the scheduler's unit for `name`; an unparsable quantity counts as 0 (the API server rejects those). */
export function amount(name: string, quantity: string | number | undefined): number {
  if (quantity === undefined) return 0;
  const value = typeof quantity === 'number' ? quantity : parseQuantity(quantity);
  if (value === undefined) return 0;
  return ceilClean(name === CPU ? value * 1000 : value);
}

function toAmounts(list: Record<string, string> | undefined): ResourceAmounts {
  const out: ResourceAmounts = new Map();
  for (const [name, q] of Object.entries(list ?? {})) out.set(name, amount(name, q));
  return out;
}

function add(into: ResourceAmounts, more: ResourceAmounts): void {
  for (const [name, v] of more) into.set(name, (into.get(name) ?? 0) + v);
}

function maxInto(into: ResourceAmounts, other: ResourceAmounts): void {
  for (const [name, v] of other) into.set(name, Math.max(into.get(name) ?? 0, v));
}

/** A container's requests; a resource with a limit and no request requests its limit, as the API server defaults it. */
function containerRequests(c: V1Container): ResourceAmounts {
  return toAmounts({ ...c.resources?.limits, ...c.resources?.requests });
}

/**
 * What a pod requests (`resourcehelper.PodRequests`): the sum of its containers and sidecars (init containers with
 * `restartPolicy: Always`), or, when larger, what any ordinary init container needs beside the sidecars started
 * before it; plus the pod overhead.
 */
export function podRequests(pod: V1Pod): ResourceAmounts {
  const total: ResourceAmounts = new Map();
  for (const c of pod.spec?.containers ?? []) add(total, containerRequests(c));
  const sidecars: ResourceAmounts = new Map();
  const initPeak: ResourceAmounts = new Map();
  for (const c of pod.spec?.initContainers ?? []) {
    const req = containerRequests(c);
    if (c.restartPolicy === 'Always') {
      add(sidecars, req);
      maxInto(initPeak, sidecars);
    } else {
      const during = new Map(sidecars);
      add(during, req);
      maxInto(initPeak, during);
    }
  }
  add(total, sidecars);
  maxInto(total, initPeak);
  add(total, toAmounts(pod.spec?.overhead));
  return total;
}

/** CPU and memory as the scoring plugins count them: containers that request none count the defaults. */
export function nonZeroRequests(pod: V1Pod): { cpu: number; memory: number } {
  let cpu = 0;
  let memory = 0;
  for (const c of pod.spec?.containers ?? []) {
    const req = containerRequests(c);
    cpu += req.get(CPU) || DEFAULT_MILLI_CPU_REQUEST;
    memory += req.get(MEMORY) || DEFAULT_MEMORY_REQUEST;
  }
  return { cpu, memory };
}

export function nodeAllocatable(node: V1Node): ResourceAmounts {
  return toAmounts(node.status?.allocatable ?? node.status?.capacity);
}
