// Authentication and RBAC in the local cluster: service-account tokens from TokenRequest, Kubernetes' 401 and 403
// answers, kubelets giving each pod its own ServiceAccount's credentials, and `ferry install`'s ServiceAccount
// reaching the API through its ClusterRole and namespaced Role and nothing more.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CoreV1Api, KubernetesObjectApi, type CoreV1Event, type V1Pod } from '@kubernetes/client-node';
import { KubeClient, loadKubeConfig } from '../../src/kube/client.js';
import { KubeApiError } from '../../src/kube/errors.js';
import { DEFAULT_FERRY_IMAGE } from '../../src/kube/image.js';
import { R } from '../../src/kube/resources.js';
import type { Manifest } from '../../src/localcluster/kubelet/api.js';
import { startKubelet, type Kubelet } from '../../src/localcluster/kubelet/index.js';
import { podManifest, waitFor } from '../../src/localcluster/kubelet/testing.js';
import { createLogger } from '../../src/util/log.js';
import { startTestApiServer, type TestApiServer } from '../support/apiserver.js';
import { eventually, kubectlSkip, nodeAgentPods, NS as VELERO, ok, startE2e, type E2e } from '../e2e/harness.js';

const NS = 'team';

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** One request as raw HTTP, so the exact status code and `Status` body are what is checked. */
async function call(api: TestApiServer, method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  if (options.token !== undefined) headers['Authorization'] = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${api.server.url}${path}`, { method, headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

function forbiddenStatus(message: string, details: Record<string, string>): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'Forbidden', details, code: 403 };
}

const UNAUTHORIZED = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 };

async function token(api: TestApiServer, name: string, spec: Record<string, unknown> = {}): Promise<string> {
  const answer = await call(api, 'POST', `/api/v1/namespaces/${NS}/serviceaccounts/${name}/token`, { body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec } });
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  const status = answer.body['status'] as { token: string };
  return status.token;
}

/** Namespace `team` with ServiceAccount `reader`, which a Role lets read ConfigMaps and pod logs there. */
async function setUpReader(api: TestApiServer): Promise<void> {
  const objects = KubernetesObjectApi.makeApiClient(api.kc);
  await objects.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  await objects.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'reader', namespace: NS } });
  await objects.create({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'reader', namespace: NS },
    rules: [{ apiGroups: [''], resources: ['configmaps', 'pods/log'], verbs: ['get', 'list'] }],
  } satisfies Manifest);
  await objects.create({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'reader', namespace: NS },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
    subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: NS }],
  } satisfies Manifest);
}

describe('API server authentication and RBAC', { timeout: 60_000 }, () => {
  let api: TestApiServer;
  before(async () => {
    api = await startTestApiServer();
    await setUpReader(api);
  });
  after(async () => {
    await api.close();
  });

  it('a ServiceAccount token does what its Role allows and gets Kubernetes\' exact 403 otherwise', async () => {
    const reader = await token(api, 'reader');
    assert.equal((await call(api, 'GET', `/api/v1/namespaces/${NS}/configmaps`, { token: reader })).status, 200);
    assert.equal((await call(api, 'GET', '/api/v1', { token: reader })).status, 200, 'discovery');
    assert.equal((await call(api, 'GET', '/version', { token: reader })).status, 200);
    const user = 'User "system:serviceaccount:team:reader"';
    assert.deepEqual(
      await call(api, 'GET', `/api/v1/namespaces/${NS}/secrets`, { token: reader }),
      { status: 403, body: forbiddenStatus(`secrets is forbidden: ${user} cannot list resource "secrets" in API group "" in the namespace "team"`, { kind: 'secrets' }) },
    );
    assert.deepEqual(
      await call(api, 'DELETE', `/api/v1/namespaces/${NS}/configmaps/x`, { token: reader }),
      { status: 403, body: forbiddenStatus(`configmaps "x" is forbidden: ${user} cannot delete resource "configmaps" in API group "" in the namespace "team"`, { name: 'x', kind: 'configmaps' }) },
    );
    assert.deepEqual(
      await call(api, 'GET', '/api/v1/configmaps', { token: reader }),
      { status: 403, body: forbiddenStatus(`configmaps is forbidden: ${user} cannot list resource "configmaps" in API group "" at the cluster scope`, { kind: 'configmaps' }) },
    );
    assert.equal((await call(api, 'GET', `/api/v1/namespaces/default/configmaps`, { token: reader })).status, 403, 'a RoleBinding grants in its namespace only');
    const review = await call(api, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { token: reader, body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
    const userInfo = (review.body['status'] as { userInfo: { username: string; groups: string[] } }).userInfo;
    assert.equal(userInfo.username, 'system:serviceaccount:team:reader');
    assert.deepEqual(userInfo.groups, ['system:serviceaccounts', 'system:serviceaccounts:team', 'system:authenticated']);
  });

  it('answers SelfSubjectAccessReviews, and impersonation only for whom may impersonate', async () => {
    const reader = await token(api, 'reader');
    const can = async (attrs: Record<string, string>, headers: Record<string, string>, as?: string): Promise<unknown> => {
      const answer = await call(api, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
        body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: attrs } },
        headers,
        ...(as === undefined ? {} : { token: as }),
      });
      return (answer.body['status'] as { allowed: boolean } | undefined)?.allowed ?? answer.body;
    };
    const asReader = { 'Impersonate-User': 'system:serviceaccount:team:reader' };
    assert.equal(await can({ verb: 'list', resource: 'configmaps', namespace: NS }, asReader), true);
    assert.equal(await can({ verb: 'get', resource: 'pods', subresource: 'log', namespace: NS, name: 'p' }, asReader), true);
    assert.equal(await can({ verb: 'list', resource: 'secrets', namespace: NS }, asReader), false);
    assert.equal(await can({ verb: 'list', resource: 'secrets', namespace: NS }, {}), true, 'no credentials: the administrator');
    assert.equal(await can({ verb: 'list', resource: 'configmaps', namespace: NS }, {}, reader), true);

    const denied = await call(api, 'GET', `/api/v1/namespaces/${NS}/secrets`, { headers: asReader });
    assert.match(String(denied.body['message']), /^secrets is forbidden: User "system:serviceaccount:team:reader" cannot list/);
    assert.deepEqual(
      await call(api, 'GET', `/api/v1/namespaces/${NS}/configmaps`, { token: reader, headers: { 'Impersonate-User': 'admin' } }),
      {
        status: 403,
        body: forbiddenStatus('users "admin" is forbidden: User "system:serviceaccount:team:reader" cannot impersonate resource "users" in API group "" at the cluster scope', { name: 'admin', kind: 'users' }),
      },
    );
  });

  it('a token whose ServiceAccount or pod is gone, or that is not the server\'s, is 401', async () => {
    assert.deepEqual(await call(api, 'GET', '/api/v1/namespaces', { token: 'not-a-token' }), { status: 401, body: UNAUTHORIZED });
    const objects = KubernetesObjectApi.makeApiClient(api.kc);
    await objects.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'temp', namespace: NS } });
    const temp = await token(api, 'temp');
    const answer = await call(api, 'GET', '/api/v1/namespaces', { token: temp });
    assert.equal(answer.status, 403, 'authenticated, not authorized');
    await api.kc.makeApiClient(CoreV1Api).deleteNamespacedServiceAccount({ name: 'temp', namespace: NS });
    assert.deepEqual(await call(api, 'GET', '/api/v1/namespaces', { token: temp }), { status: 401, body: UNAUTHORIZED });
    await objects.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'temp', namespace: NS } });
    assert.equal((await call(api, 'GET', '/api/v1/namespaces', { token: temp })).status, 401, 'a new ServiceAccount of the same name is another one');

    await objects.create(podManifest('holder', undefined, { containers: [{ name: 'c', image: 'busybox' }] }, NS));
    const pod = await api.kc.makeApiClient(CoreV1Api).readNamespacedPod({ name: 'holder', namespace: NS });
    const bound = await token(api, 'reader', { boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'holder', uid: pod.metadata?.uid } });
    assert.equal((await call(api, 'GET', `/api/v1/namespaces/${NS}/configmaps`, { token: bound })).status, 200);
    await call(api, 'DELETE', `/api/v1/namespaces/${NS}/pods/holder?gracePeriodSeconds=0`);
    assert.equal((await call(api, 'GET', `/api/v1/namespaces/${NS}/configmaps`, { token: bound })).status, 401, 'a pod-bound token dies with its pod');
  });

  it('TokenRequest: 404 for a missing ServiceAccount or pod, 422 below ten minutes', async () => {
    const path = (sa: string): string => `/api/v1/namespaces/${NS}/serviceaccounts/${sa}/token`;
    const missing = await call(api, 'POST', path('nobody'), { body: { spec: {} } });
    assert.equal(missing.status, 404);
    assert.equal(missing.body['message'], 'serviceaccounts "nobody" not found');
    const short = await call(api, 'POST', path('reader'), { body: { spec: { expirationSeconds: 60 } } });
    assert.equal(short.status, 422);
    assert.equal(short.body['message'], 'TokenRequest.authentication.k8s.io "reader" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes');
    const noPod = await call(api, 'POST', path('reader'), { body: { spec: { boundObjectRef: { kind: 'Pod', name: 'nope' } } } });
    assert.equal(noPod.body['message'], 'pods "nope" not found');
  });
});

describe('kubelet pod credentials', { timeout: 60_000 }, () => {
  let api: TestApiServer;
  let core: CoreV1Api;
  let kubelet: Kubelet;
  before(async () => {
    api = await startTestApiServer();
    core = api.kc.makeApiClient(CoreV1Api);
    await setUpReader(api);
    kubelet = await startKubelet(api.kc, { nodeName: 'node-1', dir: api.dir, kubeconfigPath: api.kubeconfigPath, logger: createLogger({ level: 'silent' }), retryMs: 200 });
  });
  after(async () => {
    await kubelet.stop();
    await api.close();
  });

  it('containers reach the API as the pod\'s ServiceAccount, through the kubeconfig in KUBECONFIG', async () => {
    // Reads KUBECONFIG as a client does (server, token), then asks for what the Role allows and what it does not.
    const script = [
      "const fs=require('fs');const kc=fs.readFileSync(process.env.KUBECONFIG,'utf8');",
      "const server=/server: (\\S+)/.exec(kc)[1];const h={Authorization:'Bearer '+/token: (\\S+)/.exec(kc)[1]};",
      "(async()=>{const r={};for(const p of ['configmaps','secrets']){const a=await fetch(server+'/api/v1/namespaces/team/'+p,{headers:h});r[p]={code:a.status,message:(await a.json()).message};}",
      "fs.writeFileSync(process.env.FERRY_CONTAINER_ROOT+'/dev/termination-log',JSON.stringify(r));})();",
    ].join('');
    const objects = KubernetesObjectApi.makeApiClient(api.kc);
    await objects.create(podManifest('client', 'node-1', { serviceAccountName: 'reader', restartPolicy: 'Never', containers: [{ name: 'main', image: DEFAULT_FERRY_IMAGE, command: ['node', '-e', script] }] }, NS));
    const done = await waitFor(() => core.readNamespacedPod({ name: 'client', namespace: NS }), (p: V1Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed');
    const seen = JSON.parse(done.status?.containerStatuses?.[0]?.state?.terminated?.message ?? '{}') as Record<string, { code: number; message?: string }>;
    assert.equal(seen['configmaps']?.code, 200);
    assert.deepEqual(seen['secrets'], { code: 403, message: 'secrets is forbidden: User "system:serviceaccount:team:reader" cannot list resource "secrets" in API group "" in the namespace "team"' });
  });

  it('a pod whose ServiceAccount does not exist waits in FailedMount, and starts once it does', async () => {
    const objects = KubernetesObjectApi.makeApiClient(api.kc);
    await objects.create(podManifest('orphan', 'node-1', { serviceAccountName: 'later', restartPolicy: 'Never', containers: [{ name: 'main', image: DEFAULT_FERRY_IMAGE, args: ['--version'] }] }, NS));
    const events = await waitFor(
      () => core.listNamespacedEvent({ namespace: NS, fieldSelector: 'involvedObject.name=orphan' }),
      (list) => list.items.some((e: CoreV1Event) => e.reason === 'FailedMount'),
    );
    const failed = events.items.find((e) => e.reason === 'FailedMount');
    assert.equal(failed?.message, 'MountVolume.SetUp failed for volume "kube-api-access-local" : failed to fetch token: serviceaccounts "later" not found');
    assert.equal((await core.readNamespacedPod({ name: 'orphan', namespace: NS })).status?.phase, 'Pending');
    await objects.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'later', namespace: NS } });
    await waitFor(() => core.readNamespacedPod({ name: 'orphan', namespace: NS }), (p: V1Pod) => p.status?.phase === 'Succeeded');
  });
});

describe('ferry install\'s ServiceAccount on the local cluster (e2e)', { skip: kubectlSkip(), timeout: 180_000 }, () => {
  let e2e: E2e;
  before(async () => {
    e2e = await startE2e({ nodes: 1 });
  });
  after(async () => {
    await e2e.stop();
  });

  it('grants the node-agent what its code uses and nothing else (kubectl auth can-i --as)', async () => {
    ok(await e2e.ferry(['install', '--wait', '--timeout', '60s']), 'ferry install');
    const as = '--as=system:serviceaccount:velero:ferry';
    const can = async (...args: string[]): Promise<string> => (await e2e.kubectl.run(['auth', 'can-i', ...args, as, '-n', VELERO])).stdout.trim();
    for (const args of [['list', 'pods'], ['patch', 'pods'], ['get', 'secrets'], ['update', 'datauploads.velero.io'], ['create', 'volumesnapshots.snapshot.storage.k8s.io'], ['list', 'nodes']]) {
      assert.equal(await can(...args), 'yes', args.join(' '));
    }
    for (const args of [['list', 'secrets'], ['delete', 'nodes'], ['create', 'configmaps'], ['update', 'persistentvolumes'], ['create', 'datauploads.velero.io'], ['delete', 'daemonsets.apps']]) {
      assert.equal(await can(...args), 'no', args.join(' '));
    }
  });

  it('its node-agent pod reaches the API with its own token, and a request outside its rules is denied', async () => {
    const [pod] = await eventually('a ready node-agent', async () => {
      const pods = await nodeAgentPods(e2e.client);
      return pods.some((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) ? pods : undefined;
    }, 60_000);
    // As the node-agent does: Ferry's client with the kubeconfig the kubelet gave its pod. (kubectl sends no
    // credentials to a plain-HTTP server; `kubectl --as=system:serviceaccount:velero:ferry` is its way.)
    const podKubeconfig = join(e2e.cluster.api.dir, 'pods', VELERO, pod?.metadata?.name ?? '', 'kubeconfig');
    const asPod = new KubeClient(loadKubeConfig({ kubeconfig: podKubeconfig }));
    try {
      assert.ok((await asPod.list(R.pods, VELERO)).items.length > 0);
      await assert.rejects(asPod.list(R.secrets, VELERO), (err: unknown) => {
        assert.ok(err instanceof KubeApiError);
        assert.equal(err.status, 403);
        assert.match(err.message, /: secrets is forbidden: User "system:serviceaccount:velero:ferry" cannot list resource "secrets" in API group "" in the namespace "velero"$/);
        return true;
      });
    } finally {
      asPod.close();
    }
    // `kubectl create token` (a TokenRequest sent as protobuf) mints a token the server takes as the ServiceAccount.
    const minted = ok(await e2e.kubectl.run(['create', 'token', 'ferry', '-n', VELERO]), 'kubectl create token').trim();
    const res = await fetch(`${e2e.cluster.api.server.url}/api/v1/namespaces/${VELERO}/secrets`, { headers: { Authorization: `Bearer ${minted}` } });
    assert.equal(res.status, 403);
  });
});
