import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { podResourceRequirements } from './resources.js';

describe('podResourceRequirements (Velero ParseResourceRequirements)', () => {
  it('keeps non-zero values and leaves zero ones out', () => {
    assert.deepEqual(
      podResourceRequirements({ cpuRequest: '500m', cpuLimit: '1', memoryRequest: '128Mi', memoryLimit: '0', ephemeralStorageRequest: '', ephemeralStorageLimit: '' }),
      { requests: { cpu: '500m', memory: '128Mi' }, limits: { cpu: '1' } },
    );
  });
  const ignored: [string, Record<string, string>][] = [
    ['an empty cpu value', { cpuRequest: '', cpuLimit: '1', memoryRequest: '1Gi', memoryLimit: '2Gi' }],
    ['a missing memory value', { cpuRequest: '1', cpuLimit: '1' }],
    ['an unparsable value', { cpuRequest: 'lots', cpuLimit: '1', memoryRequest: '1Gi', memoryLimit: '2Gi' }],
    ['a request above its limit', { cpuRequest: '2', cpuLimit: '1', memoryRequest: '1Gi', memoryLimit: '2Gi' }],
  ];
  for (const [what, resources] of ignored) {
    it(`ignores the whole section for ${what}`, () => {
      assert.equal(podResourceRequirements(resources), undefined);
    });
  }
  it('treats a zero limit as unbounded', () => {
    assert.deepEqual(podResourceRequirements({ cpuRequest: '2', cpuLimit: '0', memoryRequest: '1Gi', memoryLimit: '0' }), { requests: { cpu: '2', memory: '1Gi' } });
  });
});
