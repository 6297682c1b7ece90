// The local kubelet against the embedded API server: Ferry's image runs as real local processes with the pod's
// environment and volumes, and pod status, logs, restarts and deletion behave as on a real node.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreV1Api, KubernetesObjectApi, type V1Pod } from '@kubernetes/client-node';
import { DEFAULT_FERRY_IMAGE, FERRY_VERSION } from '../../src/kube/image.js';
import { MERGE_PATCH } from '../../src/localcluster/kubelet/api.js';
import { startKubelet, type Kubelet } from '../../src/localcluster/kubelet/index.js';
import { alive, containerPid, podManifest, waitFor } from '../../src/localcluster/kubelet/testing.js';
import { podLogPath } from '../../src/localcluster/podlogs.js';
import { createLogger } from '../../src/util/log.js';
import { startTestApiServer, type TestApiServer } from '../support/apiserver.js';

const NODE = 'node-1';
const NS = 'default';

/** A `node -e` script run in Ferry's image that writes its findings as JSON to the termination log. */
function reportScript(body: string): string[] {
  return ['node', '-e', `const fs=require('fs');const root=process.env.FERRY_CONTAINER_ROOT;const r={};${body};fs.writeFileSync(root+'/dev/termination-log',JSON.stringify(r))`];
}

describe('local kubelet', { timeout: 120_000 }, () => {
  let api: TestApiServer;
  let core: CoreV1Api;
  let objects: KubernetesObjectApi;
  let kubelet: Kubelet;

  const create = async (name: string, containers: Record<string, unknown>[], spec: Record<string, unknown> = {}): Promise<void> => {
    await objects.create(podManifest(name, NODE, { containers, ...spec }));
  };
  const pod = (name: string, until: (p: V1Pod) => boolean, timeoutMs?: number): Promise<V1Pod> =>
    waitFor(() => core.readNamespacedPod({ name, namespace: NS }), until, timeoutMs);
  const phase = (want: string) => (p: V1Pod) => p.status?.phase === want;

  before(async () => {
    api = await startTestApiServer();
    core = api.kc.makeApiClient(CoreV1Api);
    objects = KubernetesObjectApi.makeApiClient(api.kc);
    kubelet = await startKubelet(api.kc, {
      nodeName: NODE,
      dir: api.dir,
      kubeconfigPath: api.kubeconfigPath,
      logger: createLogger({ level: 'silent' }),
      backoff: { initialMs: 300, maxMs: 1200 },
      retryMs: 200,
    });
  });
  after(async () => {
    await kubelet.stop();
    await api.close();
  });

  it('runs `ferry --version` as a local process: Succeeded, exit 0, the output in pods/log', async () => {
    await create('version', [{ name: 'ferry', image: DEFAULT_FERRY_IMAGE, args: ['--version'] }], { restartPolicy: 'Never' });
    const done = await pod('version', phase('Succeeded'));
    const status = done.status?.containerStatuses?.[0];
    assert.equal(status?.state?.terminated?.exitCode, 0);
    assert.equal(status.state.terminated.reason, 'Completed');
    assert.match(status.containerID ?? '', /^ferry:\/\/\d+$/);
    assert.equal(status.image, DEFAULT_FERRY_IMAGE);
    assert.equal(done.status?.podIP, '127.0.0.1');
    assert.equal(done.status.hostIP, '127.0.0.1');
    assert.ok(done.status.startTime !== undefined);
    const ready = done.status.conditions?.find((c) => c.type === 'Ready');
    assert.equal(ready?.status, 'False');
    assert.equal(ready.reason, 'PodCompleted');
    const log = await core.readNamespacedPodLog({ name: 'version', namespace: NS });
    assert.equal(log, `${FERRY_VERSION}\n`);
  });

  it('reports a failing ferry command as Failed with its exit code, and the log tail as message (FallbackToLogsOnError)', async () => {
    await create('bad-cmd', [{ name: 'ferry', image: DEFAULT_FERRY_IMAGE, command: ['/ferry'], args: ['no-such-command'], terminationMessagePolicy: 'FallbackToLogsOnError' }], {
      restartPolicy: 'Never',
    });
    const done = await pod('bad-cmd', phase('Failed'));
    const terminated = done.status?.containerStatuses?.[0]?.state?.terminated;
    assert.equal(terminated?.exitCode, 2);
    assert.equal(terminated.reason, 'Error');
    assert.match(terminated.message ?? '', /unknown command 'no-such-command'/);
  });

  it('takes the termination message from /dev/termination-log in the container root', async () => {
    await create('term-msg', [{ name: 'main', image: DEFAULT_FERRY_IMAGE, command: reportScript("r.msg='data path failed';process.exitCode=3") }], {
      restartPolicy: 'Never',
    });
    const done = await pod('term-msg', phase('Failed'));
    const terminated = done.status?.containerStatuses?.[0]?.state?.terminated;
    assert.equal(terminated?.exitCode, 3);
    assert.deepEqual(JSON.parse(terminated.message ?? ''), { msg: 'data path failed' });
  });

  it('gives the process its environment: values, fieldRef, Secret and ConfigMap keys, envFrom with prefix, KUBECONFIG', async () => {
    await objects.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', namespace: NS }, stringData: { password: 's3cret', user: 'admin' } });
    await objects.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: NS }, data: { level: 'debug', mode: 'fast' } });
    const env = [
      { name: 'PLAIN', value: 'x-$(NODE_NAME)' },
      { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
      { name: 'EXPANDED', value: 'on-$(NODE_NAME)' },
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'POD_NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'POD_UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
      { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
      { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
      { name: 'LEVEL', valueFrom: { configMapKeyRef: { name: 'settings', key: 'level' } } },
      { name: 'MAYBE', valueFrom: { configMapKeyRef: { name: 'absent', key: 'k', optional: true } } },
      { name: 'MEM_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
    ];
    const envFrom = [{ configMapRef: { name: 'settings' }, prefix: 'CM_' }, { secretRef: { name: 'creds' } }, { secretRef: { name: 'absent', optional: true } }];
    await create('env', [{ name: 'main', image: DEFAULT_FERRY_IMAGE, command: reportScript('r.env=process.env'), env, envFrom, resources: { limits: { memory: '64Mi' } } }], {
      restartPolicy: 'Never',
    });
    const done = await pod('env', phase('Succeeded'));
    const seen = (JSON.parse(done.status?.containerStatuses?.[0]?.state?.terminated?.message ?? '{}') as { env: Record<string, string> }).env;
    assert.equal(seen['PLAIN'], 'x-$(NODE_NAME)', 'a variable defined later is not expanded');
    assert.equal(seen['EXPANDED'], `on-${NODE}`);
    assert.equal(seen['NODE_NAME'], NODE);
    assert.equal(seen['POD_NAME'], 'env');
    assert.equal(seen['POD_NS'], NS);
    assert.equal(seen['POD_UID'], done.metadata?.uid);
    assert.equal(seen['APP'], 'test');
    assert.equal(seen['PASSWORD'], 's3cret');
    assert.equal(seen['LEVEL'], 'debug');
    assert.equal(seen['MAYBE'], undefined);
    assert.equal(seen['MEM_MI'], '64');
    assert.equal(seen['CM_mode'], 'fast');
    assert.equal(seen['user'], 'admin');
    // The pod's own kubeconfig (its ServiceAccount's token), not the cluster's administrator kubeconfig.
    assert.equal(seen['KUBECONFIG'], join(api.dir, 'pods', NS, 'env', 'kubeconfig'));
    assert.equal(seen['HOSTNAME'], 'env');
    assert.ok(seen['FERRY_CONTAINER_ROOT']?.startsWith(join(api.dir, 'pods', NS, 'env', 'root')));
  });

  it('makes volume mounts visible under the container root: Secret items, ConfigMap, emptyDir shared with an init container, service account', async () => {
    const script = reportScript(`
      const read=(p)=>fs.readFileSync(root+p,'utf8');
      r.secret=read('/etc/creds/pw'); r.secretFiles=fs.readdirSync(root+'/etc/creds');
      r.config=read('/etc/settings/mode');
      r.shared=read('/work/from-init');
      r.ns=read('/var/run/secrets/kubernetes.io/serviceaccount/namespace');
      r.token=read('/var/run/secrets/kubernetes.io/serviceaccount/token').length>0;
      r.relative=fs.readFileSync('from-init','utf8');`);
    const init = ['node', '-e', "require('fs').writeFileSync(process.env.FERRY_CONTAINER_ROOT+'/work/from-init','hello from init')"];
    await create(
      'mounts',
      [
        {
          name: 'main',
          image: DEFAULT_FERRY_IMAGE,
          command: script,
          workingDir: '/work',
          volumeMounts: [
            { name: 'creds', mountPath: '/etc/creds', readOnly: true },
            { name: 'settings', mountPath: '/etc/settings' },
            { name: 'scratch', mountPath: '/work' },
          ],
        },
      ],
      {
        restartPolicy: 'Never',
        initContainers: [{ name: 'init', image: DEFAULT_FERRY_IMAGE, command: init, volumeMounts: [{ name: 'scratch', mountPath: '/work' }] }],
        volumes: [
          { name: 'creds', secret: { secretName: 'creds', items: [{ key: 'password', path: 'pw' }] } },
          { name: 'settings', configMap: { name: 'settings' } },
          { name: 'scratch', emptyDir: {} },
        ],
      },
    );
    const done = await pod('mounts', phase('Succeeded'));
    const r = JSON.parse(done.status?.containerStatuses?.[0]?.state?.terminated?.message ?? '{}') as Record<string, unknown>;
    assert.equal(r['secret'], 's3cret');
    assert.deepEqual(r['secretFiles'], ['pw'], 'only the listed items');
    assert.equal(r['config'], 'fast');
    assert.equal(r['shared'], 'hello from init');
    assert.equal(r['ns'], NS);
    assert.equal(r['token'], true);
    assert.equal(r['relative'], 'hello from init', 'the working directory is the volume mounted at workingDir');
    assert.equal(done.status?.initContainerStatuses?.[0]?.state?.terminated?.reason, 'Completed');
    assert.equal(done.status.conditions?.find((c) => c.type === 'Initialized')?.status, 'True');
  });

  it('waits in CreateContainerConfigError for a missing Secret, then runs once it exists', async () => {
    await create('needs-secret', [{ name: 'main', image: DEFAULT_FERRY_IMAGE, args: ['--version'], env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'later', key: 'token' } } }] }], {
      restartPolicy: 'Never',
    });
    const waiting = await pod('needs-secret', (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerConfigError');
    assert.equal(waiting.status?.containerStatuses?.[0]?.state?.waiting?.message, 'secret "later" not found');
    assert.equal(waiting.status.phase, 'Pending');
    await objects.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'later', namespace: NS }, stringData: { wrong: 'x' } });
    const missingKey = await pod('needs-secret', (p) => (p.status?.containerStatuses?.[0]?.state?.waiting?.message ?? '').startsWith("couldn't"));
    assert.equal(missingKey.status?.containerStatuses?.[0]?.state?.waiting?.message, `couldn't find key token in Secret ${NS}/later`);
    await core.patchNamespacedSecret({ name: 'later', namespace: NS, body: { stringData: { token: 't' } } }, MERGE_PATCH);
    await pod('needs-secret', phase('Succeeded'));
  });

  it('restarts a failing container under OnFailure with CrashLoopBackOff and a growing restartCount', async () => {
    await create('crash', [{ name: 'main', image: DEFAULT_FERRY_IMAGE, command: ['sh', '-c', 'exit 7'] }], { restartPolicy: 'OnFailure' });
    const backingOff = await pod('crash', (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff');
    const status = backingOff.status?.containerStatuses?.[0];
    assert.equal(status?.lastState?.terminated?.exitCode, 7);
    assert.match(status.state?.waiting?.message ?? '', /^back-off \d+s restarting failed container=main pod=crash_default\(/);
    assert.equal(backingOff.status?.phase, 'Running', 'a restarting container keeps the pod Running');
    const restarted = await pod('crash', (p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 2);
    assert.ok((restarted.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 2);
    await core.deleteNamespacedPod({ name: 'crash', namespace: NS });
  });

  it('marks containers of other images Running and Ready without running anything', async () => {
    await create('workload', [{ name: 'app', image: 'busybox:1.36', command: ['sleep', 'infinity'] }]);
    const running = await pod('workload', (p) => p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True');
    assert.equal(running.status?.phase, 'Running');
    assert.match(running.status.containerStatuses?.[0]?.containerID ?? '', /^ferry:\/\/idle\//);
    await core.deleteNamespacedPod({ name: 'workload', namespace: NS });
    await waitFor(() => core.listNamespacedPod({ namespace: NS, fieldSelector: 'metadata.name=workload' }), (l) => l.items.length === 0);
  });

  it('stops the process when the pod is deleted, SIGKILL after the grace period, and removes its files', async () => {
    // Ignores SIGTERM, so only the SIGKILL after terminationGracePeriodSeconds ends it.
    const stubborn = ['node', '-e', "process.on('SIGTERM',()=>{console.log('ignoring SIGTERM')});console.log('ready');setInterval(()=>{},1000)"];
    await create('long', [{ name: 'main', image: DEFAULT_FERRY_IMAGE, command: stubborn }], { terminationGracePeriodSeconds: 1 });
    const running = await pod('long', (p) => p.status?.containerStatuses?.[0]?.ready === true);
    assert.equal(running.status?.phase, 'Running');
    const pid = containerPid(running);
    assert.ok(alive(pid));
    const logFile = podLogPath(api.dir, NS, 'long', 'main');
    await waitFor(() => readFile(logFile, 'utf8').catch(() => ''), (text) => text.includes('ready'));
    const started = Date.now();
    await core.deleteNamespacedPod({ name: 'long', namespace: NS });
    await waitFor(() => Promise.resolve(alive(pid)), (a) => !a, 10_000);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 900, `killed after the 1 s grace period, not before (${elapsed} ms)`);
    await waitFor(() => readFile(logFile).then(() => true, () => false), (exists) => !exists);
  });

  it('kills every process when the kubelet stops', async () => {
    const other = await startKubelet(api.kc, { nodeName: 'node-2', dir: api.dir, kubeconfigPath: api.kubeconfigPath, logger: createLogger({ level: 'silent' }) });
    await objects.create(podManifest('on-2', 'node-2', { containers: [{ name: 'main', image: DEFAULT_FERRY_IMAGE, command: ['sh', '-c', 'sleep 60 & wait'] }] }));
    const running = await pod('on-2', (p) => p.status?.phase === 'Running');
    const pid = containerPid(running);
    await other.stop();
    assert.equal(alive(pid), false);
  });
});
