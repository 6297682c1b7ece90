import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../kube/models.js';
import { podProblem, terminationMessage } from './pod-state.js';

function pod(status: NonNullable<Pod['status']>): Pod {
  return { metadata: { name: 'du-1', namespace: 'velero' }, status };
}

describe('podProblem (fail fast instead of waiting for the prepare timeout)', () => {
  it('has hope for pending and running pods', () => {
    assert.equal(podProblem(pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] })), undefined);
    assert.equal(podProblem(pod({ phase: 'Running' })), undefined);
  });
  it('gives up on a failed pod, quoting its termination message', () => {
    const failed = pod({ phase: 'Failed', containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 1, message: 'boom' } } }] });
    assert.equal(podProblem(failed), 'data-mover pod velero/du-1 is in phase Failed: container exited with code 1: boom');
    assert.equal(terminationMessage(failed), 'boom');
  });
  it('gives up on images that will never be pulled', () => {
    const waiting = pod({ phase: 'Pending', containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ErrImageNeverPull', message: 'image not present' } } }] });
    assert.equal(podProblem(waiting), 'data-mover pod velero/du-1 cannot start: ErrImageNeverPull: image not present');
  });
  it('has no termination message before the container ends', () => {
    assert.equal(terminationMessage(pod({ phase: 'Running' })), undefined);
  });
});
