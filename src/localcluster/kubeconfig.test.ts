import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { currentCluster, kubeconfigYaml, writePodKubeconfig } from './kubeconfig.js';

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

  it('gives a pod the cluster entry, its token as the user and its namespace, readable by the owner only', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-kubeconfig-'));
    try {
      await writeFile(join(dir, 'cluster'), kubeconfigYaml('http://127.0.0.1:4567'));
      const path = join(dir, 'pod');
      await writePodKubeconfig(path, await currentCluster(join(dir, 'cluster')), 'the-token', 'velero');
      const kc = new KubeConfig();
      kc.loadFromFile(path);
      assert.equal(kc.getCurrentCluster()?.server, 'http://127.0.0.1:4567');
      assert.equal(kc.getCurrentUser()?.token, 'the-token');
      assert.equal(kc.getContextObject(kc.getCurrentContext())?.namespace, 'velero');
      const opts: { headers?: Record<string, string> } = { headers: {} };
      await kc.applyToHTTPSOptions(opts);
      assert.equal(opts.headers?.['Authorization'], 'Bearer the-token');
      assert.equal((await stat(path)).mode & 0o777, 0o600);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
