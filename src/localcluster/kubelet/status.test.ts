import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { podConditions, podPhase, type ContainerState, type ContainerStatus, type PodView } from './status.js';

const T = '2026-01-01T00:00:00Z';
const running: ContainerState = { running: { startedAt: T } };
const exited = (exitCode: number): ContainerState => ({ terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt: T, finishedAt: T } });
const waiting: ContainerState = { waiting: { reason: 'ContainerCreating' } };

function status(name: string, state: ContainerState, lastState: ContainerState = {}): ContainerStatus {
  return { name, state, lastState, ready: state.running !== undefined, started: false, restartCount: 0, image: 'x', imageID: 'x' };
}

function view(restartPolicy: string, containers: ContainerStatus[], init: ContainerStatus[] = [], initCount = init.length): PodView {
  return { restartPolicy, init, initCount, containers, containerCount: containers.length, sandboxReady: true };
}

describe('podPhase (the kubelet getPhase rules)', () => {
  const cases: { name: string; view: PodView; want: string }[] = [
    { name: 'a container not started yet', view: view('Always', [status('a', running), status('b', waiting)]), want: 'Pending' },
    { name: 'all running', view: view('Never', [status('a', running)]), want: 'Running' },
    { name: 'all exited 0 under Never', view: view('Never', [status('a', exited(0)), status('b', exited(0))]), want: 'Succeeded' },
    { name: 'one failed under Never', view: view('Never', [status('a', exited(0)), status('b', exited(1))]), want: 'Failed' },
    { name: 'one failed under OnFailure (restarting)', view: view('OnFailure', [status('a', exited(1))]), want: 'Running' },
    { name: 'all exited 0 under OnFailure', view: view('OnFailure', [status('a', exited(0))]), want: 'Succeeded' },
    { name: 'all exited under Always (restarting)', view: view('Always', [status('a', exited(0))]), want: 'Running' },
    { name: 'back-off after a crash counts as stopped', view: view('Always', [status('a', { waiting: { reason: 'CrashLoopBackOff' } }, exited(2))]), want: 'Running' },
    { name: 'init container still running', view: view('Always', [status('a', waiting)], [status('init', running)]), want: 'Pending' },
    { name: 'init container not created yet', view: view('Always', [status('a', waiting)], [], 1), want: 'Pending' },
    { name: 'init container failed under Never', view: view('Never', [status('a', waiting)], [status('init', exited(3))]), want: 'Failed' },
    { name: 'init container failed under OnFailure (retrying)', view: view('OnFailure', [status('a', waiting)], [status('init', { waiting: { reason: 'CrashLoopBackOff' } }, exited(3))]), want: 'Pending' },
  ];
  for (const c of cases) {
    it(`${c.name} ⇒ ${c.want}`, () => {
      assert.equal(podPhase(c.view), c.want);
    });
  }
});

describe('podConditions', () => {
  it('names unready and incomplete containers and keeps transition times of unchanged conditions', () => {
    const v = view('Always', [status('a', running), status('b', waiting)], [status('init', exited(0))]);
    const previous = [
      { type: 'Initialized', status: 'True' as const, lastProbeTime: null, lastTransitionTime: 'earlier' },
      { type: 'Ready', status: 'True' as const, lastProbeTime: null, lastTransitionTime: 'earlier' },
      { type: 'PodScheduled', status: 'True' as const, lastProbeTime: null, lastTransitionTime: 'scheduled' },
    ];
    const conditions = podConditions(v, podPhase(v), previous, T);
    const byType = Object.fromEntries(conditions.map((c) => [c.type, c]));
    assert.deepEqual(conditions.map((c) => c.type), ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);
    assert.equal(byType['Initialized']?.lastTransitionTime, 'earlier');
    assert.deepEqual(byType['Ready'], { type: 'Ready', status: 'False', lastProbeTime: null, reason: 'ContainersNotReady', message: 'containers with unready status: [b]', lastTransitionTime: T });
    assert.equal(byType['PodScheduled']?.lastTransitionTime, 'scheduled');
  });

  it('says PodCompleted once the pod has finished', () => {
    const v = view('Never', [status('a', exited(0))]);
    const ready = podConditions(v, podPhase(v), [], T).find((c) => c.type === 'Ready');
    assert.equal(ready?.reason, 'PodCompleted');
    assert.equal(ready.message, undefined);
  });
});
