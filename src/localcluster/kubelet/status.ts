/**
 * Pod status as the kubelet derives it from its containers: the phase (the rules of the kubelet's `getPhase`), and
 * the conditions PodReadyToStartContainers, Initialized, Ready, ContainersReady and PodScheduled, whose
 * `lastTransitionTime` only moves when their status does. Everything is the JSON written to `pods/status`.
 */

export interface WaitingState {
  reason: string;
  message?: string;
}

export interface TerminatedState {
  exitCode: number;
  reason: string;
  message?: string;
  startedAt: string;
  finishedAt: string;
  containerID?: string;
}

export interface ContainerState {
  waiting?: WaitingState;
  running?: { startedAt: string };
  terminated?: TerminatedState;
}

export interface ContainerStatus {
  name: string;
  state: ContainerState;
  lastState: ContainerState;
  ready: boolean;
  started: boolean;
  restartCount: number;
  image: string;
  imageID: string;
  containerID?: string;
}

export interface PodCondition {
  type: string;
  status: 'True' | 'False';
  reason?: string;
  message?: string;
  lastProbeTime: null;
  lastTransitionTime: string;
}

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

export interface PodView {
  restartPolicy: string;
  /** Init container statuses in spec order; a missing one has not been created yet. */
  init: readonly ContainerStatus[];
  initCount: number;
  containers: readonly ContainerStatus[];
  containerCount: number;
  /** Volumes set up and the "sandbox" ready to start containers. */
  sandboxReady: boolean;
}

export function podPhase(view: PodView): PodPhase {
  let pendingInit = view.initCount - view.init.length;
  let failedInit = 0;
  for (const s of view.init) {
    if (s.state.running !== undefined) pendingInit++;
    else if (s.state.terminated !== undefined) {
      if (s.state.terminated.exitCode !== 0) failedInit++;
    } else if (s.lastState.terminated !== undefined) {
      if (s.lastState.terminated.exitCode !== 0) failedInit++;
    } else pendingInit++;
  }
  let unknown = view.containerCount - view.containers.length;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of view.containers) {
    if (s.state.running !== undefined) running++;
    else if (s.state.terminated !== undefined) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state.waiting !== undefined) {
      if (s.lastState.terminated !== undefined) stopped++;
      else waiting++;
    } else unknown++;
  }
  if (failedInit > 0 && view.restartPolicy === 'Never') return 'Failed';
  if (pendingInit > 0 || waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (view.restartPolicy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    return view.restartPolicy === 'Never' ? 'Failed' : 'Running';
  }
  return 'Pending';
}

function condition(type: string, ok: boolean, reason?: string, message?: string): Omit<PodCondition, 'lastTransitionTime'> {
  return { type, status: ok ? 'True' : 'False', lastProbeTime: null, ...(ok || reason === undefined ? {} : { reason }), ...(ok || message === undefined ? {} : { message }) };
}

function names(list: readonly ContainerStatus[]): string {
  return `[${list.map((s) => s.name).join(' ')}]`;
}

/** The kubelet's conditions in its order; `previous` supplies PodScheduled and unchanged transition times. */
export function podConditions(view: PodView, phase: PodPhase, previous: readonly PodCondition[], now: string): PodCondition[] {
  const initIncomplete = view.init.filter((s) => s.state.terminated?.exitCode !== 0);
  const initialized = view.init.length === view.initCount && initIncomplete.length === 0;
  const unready = view.containers.filter((s) => !s.ready);
  const allReady = view.containers.length === view.containerCount && unready.length === 0;
  const completed = phase === 'Succeeded' || phase === 'Failed';
  const readyReason = completed ? 'PodCompleted' : 'ContainersNotReady';
  const readyMessage = completed ? undefined : `containers with unready status: ${names(unready)}`;
  const computed = [
    condition('PodReadyToStartContainers', view.sandboxReady && !completed),
    condition('Initialized', initialized, 'ContainersNotInitialized', `containers with incomplete status: ${names(initIncomplete)}`),
    condition('Ready', allReady && !completed, readyReason, readyMessage),
    condition('ContainersReady', allReady && !completed, readyReason, readyMessage),
  ];
  const scheduled = previous.find((c) => c.type === 'PodScheduled') ?? { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now };
  return [
    ...computed.map((c) => {
      const before = previous.find((p) => p.type === c.type);
      return { ...c, lastTransitionTime: before !== undefined && before.status === c.status ? before.lastTransitionTime : now };
    }),
    scheduled,
  ];
}
