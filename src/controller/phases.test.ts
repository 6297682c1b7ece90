import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DATA_MOVEMENT_PHASES } from '../kube/crds.js';
import { canMove, isFinal, NEXT, phaseOf } from './phases.js';

describe('the phase protocol', () => {
  it('covers every phase of Velero\'s CRD enum', () => {
    assert.deepEqual(Object.keys(NEXT).sort(), [...DATA_MOVEMENT_PHASES].sort());
  });
  it('goes forward only, and ends in Completed, Failed or Canceled', () => {
    assert.ok(canMove('New', 'Accepted') && canMove('Accepted', 'Prepared') && canMove('Prepared', 'InProgress') && canMove('InProgress', 'Completed'));
    assert.ok(!canMove('InProgress', 'Accepted') && !canMove('Accepted', 'InProgress') && !canMove('New', 'Prepared'));
    assert.deepEqual(DATA_MOVEMENT_PHASES.filter(isFinal).sort(), ['Canceled', 'Completed', 'Failed']);
    for (const phase of DATA_MOVEMENT_PHASES) if (!isFinal(phase)) assert.ok(canMove(phase, 'Failed') || canMove(phase, 'Canceled'), `${phase} can be ended`);
  });
  it('reads an absent or empty phase as New', () => {
    assert.equal(phaseOf({}), 'New');
    assert.equal(phaseOf({ status: {} }), 'New');
  });
});
