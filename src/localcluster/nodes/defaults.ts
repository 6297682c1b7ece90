/**
 * What a kubelet adds to a Node when it registers: the well-known labels (hostname, os, arch, and a zone so
 * topology rules have something to spread over), capacity and allocatable, the node conditions, addresses and
 * `nodeInfo`. Labels, taints, `spec.unschedulable`, capacity, allocatable and the conditions' statuses given in a
 * nodes file win; fields only a real API server or a real machine could know (uid, resourceVersion, IP
 * addresses, images) are dropped.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { release, type } from 'node:os';
import type { V1NodeCondition, V1NodeSystemInfo } from '@kubernetes/client-node';
import type { Node, Plain } from '../../kube/models.js';

type NodeCondition = Plain<V1NodeCondition>;

export const KUBELET_VERSION = 'v1.32.0+ferry';
export const ZONES = ['zone-a', 'zone-b', 'zone-c'] as const;
export const ZONE_LABEL = 'topology.kubernetes.io/zone';

export const DEFAULT_CAPACITY: Readonly<Record<string, string>> = { cpu: '4', memory: '16Gi', pods: '110', 'ephemeral-storage': '100Gi' };

/** Go's GOARCH for Node's `process.arch`, as `kubernetes.io/arch` and `nodeInfo.architecture` spell it. */
export function goArch(arch: string = process.arch): string {
  const names: Record<string, string> = { x64: 'amd64', ia32: '386', ppc64: 'ppc64le' };
  return names[arch] ?? arch;
}

/** The conditions a healthy kubelet reports: type, then the reason and message for False and True. */
const CONDITIONS: readonly { type: string; ok: 'True' | 'False'; good: [string, string]; bad: [string, string] }[] = [
  { type: 'MemoryPressure', ok: 'False', good: ['KubeletHasSufficientMemory', 'kubelet has sufficient memory available'], bad: ['KubeletHasInsufficientMemory', 'kubelet has insufficient memory available'] },
  { type: 'DiskPressure', ok: 'False', good: ['KubeletHasNoDiskPressure', 'kubelet has no disk pressure'], bad: ['KubeletHasDiskPressure', 'kubelet has disk pressure'] },
  { type: 'PIDPressure', ok: 'False', good: ['KubeletHasSufficientPID', 'kubelet has sufficient PID available'], bad: ['KubeletHasInsufficientPID', 'kubelet has insufficient PID available'] },
  { type: 'Ready', ok: 'True', good: ['KubeletReady', 'kubelet is posting ready status'], bad: ['KubeletNotReady', 'kubelet is not ready'] },
];

/**
 * The node conditions at `now`: each standard condition with the status the node already had (so a nodes file or a
 * `kubectl patch --subresource=status` can describe an unhealthy node), else the healthy one.
 */
export function nodeConditions(existing: readonly NodeCondition[] | undefined, now: Date): NodeCondition[] {
  return CONDITIONS.map(({ type: conditionType, ok, good, bad }): NodeCondition => {
    const had = existing?.find((c) => c.type === conditionType);
    const status = had?.status ?? ok;
    const [reason, message] = status === ok ? good : bad;
    return {
      type: conditionType,
      status,
      reason: had?.reason ?? reason,
      message: had?.message ?? message,
      lastHeartbeatTime: now,
      lastTransitionTime: had?.lastTransitionTime ?? now,
    };
  });
}

function nodeInfo(): Plain<V1NodeSystemInfo> {
  return {
    architecture: goArch(),
    bootID: randomUUID(),
    containerRuntimeVersion: 'ferry://0.1.0',
    kernelVersion: release(),
    kubeProxyVersion: KUBELET_VERSION,
    kubeletVersion: KUBELET_VERSION,
    machineID: randomBytes(16).toString('hex'),
    operatingSystem: 'linux',
    osImage: `Ferry local node (${type()} ${release()})`,
    systemUUID: randomUUID(),
  };
}

/** Quantities as the API server writes them: strings (a YAML file may give `cpu: 4` as a number). */
function quantities(list: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(list ?? {}).map(([k, v]) => [k, `${v as string | number}`]));
}

/** The Node that registers as `given` describes it; `index` picks the default zone (round robin). */
export function withDefaults(given: Node, index: number): Node {
  const name = given.metadata?.name ?? '';
  const labels = {
    'beta.kubernetes.io/arch': goArch(),
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': goArch(),
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
    [ZONE_LABEL]: ZONES[index % ZONES.length] ?? 'zone-a',
    ...given.metadata?.labels,
  };
  const annotations = {
    'node.alpha.kubernetes.io/ttl': '0',
    'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
    ...given.metadata?.annotations,
  };
  const capacity = { ...DEFAULT_CAPACITY, ...quantities(given.status?.allocatable), ...quantities(given.status?.capacity) };
  const allocatable = { ...capacity, ...quantities(given.status?.allocatable) };
  const spec = { ...(given.spec?.taints ? { taints: given.spec.taints } : {}), ...(given.spec?.unschedulable ? { unschedulable: true } : {}) };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels, annotations },
    spec,
    status: {
      capacity,
      allocatable,
      // Kept from the file so a node can start unhealthy; times are set when the node registers.
      conditions: (given.status?.conditions ?? []).filter((c) => CONDITIONS.some((d) => d.type === c.type)).map((c) => ({ type: c.type, status: c.status })),
      addresses: [
        { type: 'InternalIP', address: '127.0.0.1' },
        { type: 'Hostname', address: name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: nodeInfo(),
    },
  };
}

/** `node-1` … `node-<count>` with every default. */
export function defaultNodes(count: number): Node[] {
  return Array.from({ length: count }, (_, i) => withDefaults({ metadata: { name: `node-${i + 1}` } }, i));
}
