/** What a pod's status says about why it is not running (yet), in words, for messages. */
import type { ContainerStatus, Pod } from './models.js';

/** The scheduler's `Unschedulable` message from the pod's `PodScheduled` condition, if it has one. */
export function schedulerMessage(pod: Pod): string | undefined {
  const condition = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (condition?.status !== 'False' || condition.message === undefined || condition.message === '') return undefined;
  return condition.message;
}

/** A container that exited (code and message) or waits (reason and message); `undefined` while it runs. */
export function describeContainer(status: ContainerStatus): string | undefined {
  const terminated = status.state?.terminated;
  if (terminated !== undefined) {
    const message = terminated.message?.trim();
    const why = message !== undefined && message !== '' ? message : (terminated.reason ?? 'no message');
    return `container exited with code ${terminated.exitCode}: ${why}`;
  }
  const waiting = status.state?.waiting;
  if (waiting?.reason !== undefined) return `${waiting.reason}${waiting.message === undefined ? '' : `: ${waiting.message}`}`;
  return undefined;
}

/** Whether the pod's `Ready` condition is True. */
export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

/** Why a pod is not Ready: not scheduled (the scheduler's words), a container waiting or exited, or its phase. */
export function notReadyReason(pod: Pod): string {
  const scheduler = schedulerMessage(pod);
  if (scheduler !== undefined) return `not scheduled: ${scheduler}`;
  const container = (pod.status?.containerStatuses ?? []).map(describeContainer).find((d) => d !== undefined);
  if (container !== undefined) return container;
  const phase = pod.status?.phase ?? 'Pending';
  return phase === 'Running' ? 'running, not Ready yet' : phase;
}
