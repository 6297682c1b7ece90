import type { Pod } from '../kube/models.js';
import { describeContainer } from '../kube/pod-status.js';

/** Container waiting reasons after which a data-mover pod will never run (Velero's `PeekExposed` plus config errors). */
const HOPELESS_WAITING = new Set(['ImagePullBackOff', 'ErrImagePull', 'ErrImageNeverPull', 'InvalidImageName', 'CreateContainerConfigError', 'CreateContainerError']);

/** The termination message of the pod's (only) container, trimmed; `undefined` when it has not terminated. */
export function terminationMessage(pod: Pod): string | undefined {
  const terminated = pod.status?.containerStatuses?.[0]?.state?.terminated;
  return terminated === undefined ? undefined : (terminated.message ?? '').trim();
}

/**
 * Why a data-mover pod can no longer do its job before the data movement started (fail fast instead of waiting for
 * the prepare timeout), or `undefined` while there is hope. Pending and unschedulable pods are not hopeless:
 * autoscalers may add nodes.
 */
export function podProblem(pod: Pod): string | undefined {
  const name = `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
  const phase = pod.status?.phase;
  const container = pod.status?.containerStatuses?.[0];
  const detail = container === undefined ? undefined : describeContainer(container);
  if (phase === 'Failed' || phase === 'Unknown') {
    return `data-mover pod ${name} is in phase ${phase}${detail === undefined ? (pod.status?.message === undefined ? '' : `: ${pod.status.message}`) : `: ${detail}`}`;
  }
  if (phase === 'Succeeded') return `data-mover pod ${name} exited before the data movement started${detail === undefined ? '' : `: ${detail}`}`;
  const waiting = container?.state?.waiting?.reason;
  if (waiting !== undefined && HOPELESS_WAITING.has(waiting)) return `data-mover pod ${name} cannot start: ${detail ?? waiting}`;
  return undefined;
}

/** How a placement message says the pod's PVC is still being provisioned (exposer/diagnose.ts). */
export const PROVISIONING_WAIT = 'waits for its PVC';

/** Whether a placement message only says the pod's PVC is still being provisioned: a normal moment, not a problem. */
export function isProvisioningWait(message: string): boolean {
  return message.includes(PROVISIONING_WAIT);
}
