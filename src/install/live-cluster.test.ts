import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DaemonSet } from '../kube/models.js';
import { configMapArg } from './live-cluster.js';

function daemonSet(...args: string[]): DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'ferry-node-agent' },
    spec: { selector: {}, template: { spec: { containers: [{ name: 'node-agent', args: ['node-agent', 'server', ...args] }] } } },
  };
}

describe('configMapArg', () => {
  it('reads --node-agent-configmap=NAME, as ferry install writes it', () => {
    assert.equal(configMapArg(daemonSet('--node-agent-configmap=node-agent-config')), 'node-agent-config');
  });

  it('reads --node-agent-configmap NAME as two args, as kubectl edit ds may leave it', () => {
    assert.equal(configMapArg(daemonSet('--node-agent-configmap', 'edited', '--datamover-name=ferry')), 'edited');
  });

  it('is undefined when the node-agents read no ConfigMap', () => {
    assert.equal(configMapArg(daemonSet('--datamover-name=ferry')), undefined);
    assert.equal(configMapArg(undefined), undefined);
  });
});
