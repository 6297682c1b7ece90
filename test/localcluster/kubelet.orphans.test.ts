// No orphans: when the process running a kubelet dies without cleaning up (SIGKILL), its container processes die too.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { CoreV1Api, KubernetesObjectApi } from '@kubernetes/client-node';
import { DEFAULT_FERRY_IMAGE } from '../../src/kube/image.js';
import { alive, containerPid, podManifest, waitFor } from '../../src/localcluster/kubelet/testing.js';
import { startTestApiServer, type TestApiServer } from '../support/apiserver.js';

const KUBELET_MAIN = `
import { KubeConfig } from '@kubernetes/client-node';
import { startKubelet } from ${JSON.stringify(new URL('../../src/localcluster/kubelet/index.ts', import.meta.url).href)};
import { createLogger } from ${JSON.stringify(new URL('../../src/util/log.ts', import.meta.url).href)};
const kc = new KubeConfig();
kc.loadFromFile(process.env.KUBECONFIG);
await startKubelet(kc, { nodeName: 'doomed', dir: process.env.CLUSTER_DIR, kubeconfigPath: process.env.KUBECONFIG, logger: createLogger({ level: 'silent' }) });
console.log('kubelet started');
setInterval(() => {}, 1000);
`;

describe('local kubelet orphan guard', { timeout: 120_000 }, () => {
  let api: TestApiServer;
  let child: ChildProcess | undefined;

  before(async () => {
    api = await startTestApiServer();
  });
  after(async () => {
    child?.kill('SIGKILL');
    await api.close();
  });

  it('kills container processes when the kubelet process is SIGKILLed', async () => {
    child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', KUBELET_MAIN], {
      env: { ...process.env, KUBECONFIG: api.kubeconfigPath, CLUSTER_DIR: api.dir },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const started: unknown[] = await Promise.race([once(child.stdout!, 'data'), once(child, 'exit')]);
    assert.ok(Buffer.isBuffer(started[0]), 'the kubelet process exited before starting');
    const objects = KubernetesObjectApi.makeApiClient(api.kc);
    const core = api.kc.makeApiClient(CoreV1Api);
    const containers = [{ name: 'main', image: DEFAULT_FERRY_IMAGE, command: ['node', '-e', 'setInterval(() => {}, 1000)'] }];
    await objects.create(podManifest('survivor', 'doomed', { containers }));
    const running = await waitFor(() => core.readNamespacedPod({ name: 'survivor', namespace: 'default' }), (p) => p.status?.phase === 'Running');
    const pid = containerPid(running);
    assert.ok(alive(pid));
    child.kill('SIGKILL');
    await once(child, 'exit');
    await waitFor(() => Promise.resolve(alive(pid)), (a) => !a, 5000);
  });
});
