import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseTolerations, podResources } from './pod-options.js';
import { parseKeyValues } from './storage.js';

describe('install pod options', () => {
  it('parses key[=value][:Effect] tolerations and refuses unknown effects', () => {
    assert.deepEqual(parseTolerations('dedicated=backup:NoSchedule, gpu ,spot:NoExecute'), [
      { key: 'dedicated', operator: 'Equal', value: 'backup', effect: 'NoSchedule' },
      { key: 'gpu', operator: 'Exists' },
      { key: 'spot', operator: 'Exists', effect: 'NoExecute' },
    ]);
    assert.throws(() => parseTolerations('a=b:NoSchedul'), /effect must be one of NoSchedule, PreferNoSchedule, NoExecute/);
    assert.throws(() => parseTolerations('=b:NoSchedule'), /a key is required/);
  });

  it('builds resources only from the flags set, and refuses a bad quantity', () => {
    assert.equal(podResources({}), undefined);
    assert.deepEqual(podResources({ cpuRequest: '500m', memLimit: '2Gi' }), { requests: { cpu: '500m' }, limits: { memory: '2Gi' } });
    assert.throws(() => podResources({ memRequest: '2GB' }), /--node-agent-pod-mem-request: "2GB" is not a Kubernetes quantity/);
  });

  it('parses --backup-location-config', () => {
    assert.deepEqual(parseKeyValues('--backup-location-config', 'region=us-east-1,s3Url=http://h:9000/a=b'), { region: 'us-east-1', s3Url: 'http://h:9000/a=b' });
    assert.throws(() => parseKeyValues('--backup-location-config', 'region'), /"region" is not key=value/);
  });
});
