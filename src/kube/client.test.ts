import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { kubeconfigYaml } from '../localcluster/kubeconfig.js';
import { createKubeClient, updateWithRetry } from './client.js';
import { isAlreadyExists, isConflict, KubeApiError } from './errors.js';
import type { ConfigMap } from './models.js';
import { R } from './resources.js';
import { startTestApiServer, type TestApiServer } from './testing.js';

let api: TestApiServer;
const cm = (name: string, data: Record<string, string> = {}): ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'velero' }, data });

describe('KubeClient against a real API server', () => {
  before(async () => {
    api = await startTestApiServer();
  });
  after(async () => {
    await api.close();
  });

  it('says what is missing and where', async () => {
    await assert.rejects(api.client.get(R.configMaps, { namespace: 'velero', name: 'x' }), (err: unknown) => {
      assert.ok(err instanceof KubeApiError);
      assert.equal(err.message, 'configmaps "x" not found in namespace velero');
      assert.equal(err.code, 'NotFound');
      return true;
    });
    assert.equal(await api.client.find(R.configMaps, { namespace: 'velero', name: 'x' }), undefined);
    assert.equal(await api.client.delete(R.configMaps, { namespace: 'velero', name: 'x' }), false);
  });

  it('tells a lost race from a duplicate, and retries an update on conflict', async () => {
    const created = await api.client.create(R.configMaps, 'velero', cm('race', { n: '0' }));
    await assert.rejects(api.client.create(R.configMaps, 'velero', cm('race')), (err: unknown) => isAlreadyExists(err) && !isConflict(err));
    await api.client.patch(R.configMaps, { namespace: 'velero', name: 'race' }, { data: { other: 'writer' } });
    await assert.rejects(api.client.replace(R.configMaps, { namespace: 'velero', name: 'race' }, created), (err: unknown) => isConflict(err));
    let calls = 0;
    const updated = await updateWithRetry<ConfigMap>(api.client, R.configMaps, { namespace: 'velero', name: 'race' }, (current) => {
      calls++;
      if (calls === 1) void api.client.patch(R.configMaps, { namespace: 'velero', name: 'race' }, { data: { sneaky: 'write' } });
      return { ...current, data: { ...current.data, n: String(calls) } };
    });
    const data = updated.data ?? {};
    assert.equal(data.other, 'writer');
    assert.ok(calls >= 1 && data.n === String(calls));
  });

  it('reports failures to reach the server as Unavailable', async () => {
    const deadConfig = join(api.dir, 'dead-kubeconfig');
    await writeFile(deadConfig, kubeconfigYaml('http://127.0.0.1:1'));
    await assert.rejects(createKubeClient({ kubeconfig: deadConfig }).list(R.nodes, undefined), /cannot list nodes: the Kubernetes API server at http:\/\/127\.0\.0\.1:1 did not answer/);
    assert.throws(() => createKubeClient({ kubeconfig: '/nonexistent/kubeconfig' }), /cannot read kubeconfig \/nonexistent\/kubeconfig/);
  });
});
