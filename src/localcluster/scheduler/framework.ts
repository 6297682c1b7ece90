/**
 * The vocabulary of kube-scheduler's framework that the local scheduler keeps: a *status* per rejected node (which
 * plugin, whether preemption could help, the reasons shown to users), and the *cycle* of one pod: what its plugins
 * computed once before looking at nodes.
 */
import type { V1Pod, V1Toleration } from '@kubernetes/client-node';
import type { CompiledPlacement } from '../../affinity/index.js';
import type { ResourceAmounts } from './resources.js';
import type { SpreadState } from './spread.js';
import type { PodVolumes } from './volumes.js';

/**
 * `Unschedulable`: preemption might make room (resources, spread). `UnschedulableAndUnresolvable`: the node can never
 * take the pod as things are (labels, taints, cordon, volume topology).
 */
export type RejectionCode = 'Unschedulable' | 'UnschedulableAndUnresolvable';

export interface Rejection {
  plugin: string;
  code: RejectionCode;
  reasons: string[];
}

export function reject(plugin: string, code: RejectionCode, ...reasons: string[]): Rejection {
  return { plugin, code, reasons };
}

/** What the plugins precompute for one pod in one scheduling cycle. */
export interface Cycle {
  pod: V1Pod;
  placement: CompiledPlacement;
  tolerations: V1Toleration[];
  requests: ResourceAmounts;
  volumes: PodVolumes;
  spread: SpreadState;
}
