import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KubeConfig } from '@kubernetes/client-node';
import { kubeconfigYaml } from './kubeconfig.js';

describe('local cluster kubeconfig', () => {
  it('names one ferry-local context with namespace default that client-node accepts for plain HTTP', () => {
    const kc = new KubeConfig();
    kc.loadFromString(kubeconfigYaml('http://127.0.0.1:4567'));
    assert.equal(kc.getCurrentContext(), 'ferry-local');
    assert.equal(kc.getContextObject('ferry-local')?.namespace, 'default');
    assert.equal(kc.getCurrentCluster()?.server, 'http://127.0.0.1:4567');
    assert.equal(kc.getCurrentCluster()?.skipTLSVerify, true);
    assert.ok(kc.getCurrentUser(), 'client-node applies TLS options only when a user exists');
  });
});
