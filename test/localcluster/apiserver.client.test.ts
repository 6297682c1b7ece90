/**
 * The embedded API server through @kubernetes/client-node and raw HTTP: semantics a real server has (conflicts,
 * watches, 410 Expired, finalizers, garbage collection, namespaces, paging, selectors, pod subresources, status
 * strategies, validation parity) and robustness against bad requests.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  EventsV1Api,
  EventsV1Event,
  V1Binding,
  V1ConfigMap,
  V1DaemonSet,
  V1DaemonSetStatus,
  V1Namespace,
  V1Pod,
  PatchStrategy,
  Watch,
  makeInformer,
  setHeaderOptions,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { podLogPath } from '../../src/localcluster/podlogs.js';
import { model, startTestApiServer, type TestApiServer } from '../support/apiserver.js';

const HISTORY = 120;
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

async function failure(promise: Promise<unknown>): Promise<{ code: number; status: { message: string; reason: string; details?: { causes?: { field: string; message: string }[] } } }> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ApiException, `expected an ApiException, got ${String(err)}`);
    const body: unknown = typeof err.body === 'string' ? JSON.parse(err.body) : err.body;
    return { code: err.code, status: body as { message: string; reason: string } };
  }
  assert.fail('expected the request to fail');
}

const until = async (check: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

function pod(name: string, extra: object = {}): V1Pod {
  return model(V1Pod, { metadata: { name }, spec: { containers: [{ name: 'main', image: 'busybox:1.36' }], ...extra } });
}

describe('client-node against the embedded API server', () => {
  let api: TestApiServer;
  let core: CoreV1Api;
  let apps: AppsV1Api;
  const raw = (path: string, init: RequestInit = {}): Promise<Response> => fetch(`${api.server.url}${path}`, init);
  const exists = async (ns: string, name: string): Promise<boolean> =>
    core.readNamespacedConfigMap({ namespace: ns, name }).then(
      () => true,
      (err: unknown) => {
        if (err instanceof ApiException && err.code === 404) return false;
        throw err;
      },
    );

  before(async () => {
    api = await startTestApiServer({ historySize: HISTORY, bookmarkIntervalMs: 200 });
    core = api.kc.makeApiClient(CoreV1Api);
    apps = api.kc.makeApiClient(AppsV1Api);
    await core.createNamespace({ body: model(V1Namespace, { metadata: { name: 'work' } }) });
  });
  after(async () => {
    await api.close();
  });

  it('creates, reads, updates and deletes with server-set metadata, generateName and dryRun', async () => {
    const created = await core.createNamespacedConfigMap({ namespace: 'work', body: model(V1ConfigMap, { metadata: { generateName: 'cfg-' }, data: { a: '1' } }) });
    assert.match(created.metadata?.name ?? '', /^cfg-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.match(created.metadata?.uid ?? '', /^[0-9a-f-]{36}$/);
    assert.match(created.metadata?.resourceVersion ?? '', /^\d+$/);
    assert.ok(created.metadata?.creationTimestamp instanceof Date);
    const name = created.metadata.name ?? '';
    const dry = await core.createNamespacedConfigMap({ namespace: 'work', dryRun: 'All', body: model(V1ConfigMap, { metadata: { name: 'dry' } }) });
    assert.equal(dry.metadata?.name, 'dry');
    assert.equal(await exists('work', 'dry'), false);
    const updated = await core.replaceNamespacedConfigMap({ namespace: 'work', name, body: model(V1ConfigMap, created, { data: { a: '2' } }) });
    assert.ok(Number(updated.metadata?.resourceVersion) > Number(created.metadata.resourceVersion));
    assert.equal(updated.metadata?.uid, created.metadata.uid);
    const same = await core.replaceNamespacedConfigMap({ namespace: 'work', name, body: updated });
    assert.equal(same.metadata?.resourceVersion, updated.metadata?.resourceVersion, 'a no-op update writes nothing');
    await core.deleteNamespacedConfigMap({ namespace: 'work', name });
    assert.equal(await exists('work', name), false);
  });

  it('answers 409 AlreadyExists and 409 Conflict on a stale resourceVersion', async () => {
    const cm = await core.createNamespacedConfigMap({ namespace: 'work', body: model(V1ConfigMap, { metadata: { name: 'race' } }) });
    const dup = await failure(core.createNamespacedConfigMap({ namespace: 'work', body: model(V1ConfigMap, { metadata: { name: 'race' } }) }));
    assert.equal(dup.code, 409);
    assert.equal(dup.status.reason, 'AlreadyExists');
    assert.equal(dup.status.message, 'configmaps "race" already exists');
    await core.patchNamespacedConfigMap({ namespace: 'work', name: 'race', body: { data: { winner: 'a' } } }, MERGE);
    const stale = await failure(core.replaceNamespacedConfigMap({ namespace: 'work', name: 'race', body: model(V1ConfigMap, cm, { data: { winner: 'b' } }) }));
    assert.equal(stale.code, 409);
    assert.equal(stale.status.reason, 'Conflict');
    assert.equal(stale.status.message, 'Operation cannot be fulfilled on configmaps "race": the object has been modified; please apply your changes to the latest version and try again');
    const latest = await core.readNamespacedConfigMap({ namespace: 'work', name: 'race' });
    assert.deepEqual(latest.data, { winner: 'a' });
  });

  it('delivers every change after a resourceVersion exactly once and in order, across a reconnect', async () => {
    const start = (await core.listNamespacedConfigMap({ namespace: 'work' })).metadata?.resourceVersion ?? '';
    const seen: string[] = [];
    let lastRv = start;
    const watch = new Watch(api.kc);
    const open = (rv: string): Promise<AbortController> =>
      watch.watch('/api/v1/namespaces/work/configmaps', { resourceVersion: rv, allowWatchBookmarks: true }, (type, obj: KubernetesObject) => {
        lastRv = obj.metadata?.resourceVersion ?? lastRv;
        if (type !== 'BOOKMARK') seen.push(`${type} ${obj.metadata?.name ?? ''} ${obj.metadata?.resourceVersion ?? ''}`);
      }, () => undefined);
    const expected: string[] = [];
    const record = (type: string, obj: V1ConfigMap): void => {
      expected.push(`${type} ${obj.metadata?.name ?? ''} ${obj.metadata?.resourceVersion ?? ''}`);
    };
    let controller = await open(start);
    for (let i = 0; i < 20; i++) {
      record('ADDED', await core.createNamespacedConfigMap({ namespace: 'work', body: model(V1ConfigMap, { metadata: { name: `w-${i}` } }) }));
      if (i === 9) {
        await until(() => seen.length === expected.length);
        controller.abort();
        // Changes while nobody watches must be replayed from lastRv.
        record('MODIFIED', await core.patchNamespacedConfigMap({ namespace: 'work', name: 'w-0', body: { data: { x: '1' } } }, MERGE));
        controller = await open(lastRv);
      }
    }
    await core.deleteNamespacedConfigMap({ namespace: 'work', name: 'w-1' });
    expected.push(`DELETED w-1`);
    await until(() => seen.length === expected.length);
    controller.abort();
    assert.deepEqual(seen.map((s) => (s.startsWith('DELETED') ? s.split(' ').slice(0, 2).join(' ') : s)), expected);
  });

  it('streams the initial objects then a BOOKMARK marking their end (sendInitialEvents), in Table form when asked', async () => {
    const controller = new AbortController();
    const res = await raw('/api/v1/namespaces?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan', { signal: controller.signal });
    const reader = res.body?.getReader();
    assert.ok(reader);
    let text = '';
    while (!text.includes('BOOKMARK')) text += new TextDecoder().decode(((await reader.read()) as { value?: Uint8Array }).value);
    controller.abort();
    const events = text.trim().split('\n').map((l) => JSON.parse(l) as { type: string; object: { metadata: { name?: string; annotations?: Record<string, string> } } });
    assert.deepEqual(events.slice(0, -1).map((e) => `${e.type} ${e.object.metadata.name ?? ''}`), ['ADDED default', 'ADDED kube-node-lease', 'ADDED kube-public', 'ADDED kube-system', 'ADDED work']);
    assert.deepEqual(events.at(-1)?.object.metadata.annotations, { 'k8s.io/initial-events-end': 'true' });

    const table = await raw('/api/v1/namespaces/work?watch=true&timeoutSeconds=1', { headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } });
    const first = JSON.parse((await table.text()).split('\n')[0] ?? '') as { type: string; object: { kind: string; columnDefinitions: unknown[]; rows: { cells: unknown[] }[] } };
    assert.equal(first.type, 'ADDED');
    assert.equal(first.object.kind, 'Table');
    assert.equal(first.object.columnDefinitions.length, 3);
    assert.deepEqual(first.object.rows[0]?.cells.slice(0, 2), ['work', 'Active']);
  });

  it('answers a watch from a compacted resourceVersion with a 410 Expired ERROR event', async () => {
    const old = (await core.listNamespacedConfigMap({ namespace: 'work' })).metadata?.resourceVersion ?? '';
    const firstPage = await core.listNamespacedConfigMap({ namespace: 'work', limit: 5 });
    for (let i = 0; i < HISTORY + 10; i++) await core.patchNamespacedConfigMap({ namespace: 'work', name: 'race', body: { data: { n: String(i) } } }, MERGE);
    const res = await raw(`/api/v1/namespaces/work/configmaps?watch=true&resourceVersion=${old}`);
    assert.equal(res.status, 200);
    const line = JSON.parse((await res.text()).trim()) as { type: string; object: { code: number; reason: string; message: string } };
    assert.equal(line.type, 'ERROR');
    assert.equal(line.object.code, 410);
    assert.equal(line.object.reason, 'Expired');
    assert.match(line.object.message, /^too old resource version: \d+ \(\d+\)$/);
    const cont = await failure(core.listNamespacedConfigMap({ namespace: 'work', limit: 5, _continue: firstPage.metadata?._continue ?? '' }));
    assert.equal(cont.code, 410);
    assert.equal(cont.status.reason, 'Expired');
  });

  it('lists in pages from one consistent snapshot, with remainingItemCount', async () => {
    await core.createNamespace({ body: model(V1Namespace, { metadata: { name: 'paging' } }) });
    for (let i = 0; i < 25; i++) await core.createNamespacedConfigMap({ namespace: 'paging', body: model(V1ConfigMap, { metadata: { name: `p-${String(i).padStart(2, '0')}` } }) });
    const page1 = await core.listNamespacedConfigMap({ namespace: 'paging', limit: 10 });
    assert.equal(page1.items.length, 10);
    assert.equal(page1.metadata?.remainingItemCount, 15);
    await core.createNamespacedConfigMap({ namespace: 'paging', body: model(V1ConfigMap, { metadata: { name: 'p-99' } }) });
    await core.deleteNamespacedConfigMap({ namespace: 'paging', name: 'p-20' });
    const names = page1.items.map((c) => c.metadata?.name);
    let cont = page1.metadata._continue;
    while (cont !== undefined && cont !== '') {
      const page = await core.listNamespacedConfigMap({ namespace: 'paging', limit: 10, _continue: cont });
      assert.equal(page.metadata?.resourceVersion, page1.metadata.resourceVersion);
      names.push(...page.items.map((c) => c.metadata?.name));
      cont = page.metadata?._continue;
    }
    assert.equal(names.length, 25, 'p-99 and the deletion of p-20 came after the snapshot');
    assert.ok(names.includes('p-20') && !names.includes('p-99'));
  });

  it('filters lists and watches by label and field selectors; leaving a selector is DELETED for that watcher', async () => {
    await core.createNamespacedConfigMap({ namespace: 'work', body: model(V1ConfigMap, { metadata: { name: 'sel-a', labels: { app: 'x', tier: 'db' } } }) });
    await core.createNamespacedConfigMap({ namespace: 'work', body: model(V1ConfigMap, { metadata: { name: 'sel-b', labels: { app: 'y' } } }) });
    const list = async (labelSelector?: string, fieldSelector?: string): Promise<string[]> =>
      (await core.listNamespacedConfigMap({ namespace: 'work', ...(labelSelector === undefined ? {} : { labelSelector }), ...(fieldSelector === undefined ? {} : { fieldSelector }) })).items
        .map((c) => c.metadata?.name ?? '')
        .filter((n) => n.startsWith('sel-'));
    assert.deepEqual(await list('app in (x,y),!tier'), ['sel-b']);
    assert.deepEqual(await list('app=x,tier'), ['sel-a']);
    assert.deepEqual(await list('app!=x'), ['sel-b']);
    assert.deepEqual(await list(undefined, 'metadata.name=sel-a'), ['sel-a']);
    const bad = await failure(core.listNamespacedConfigMap({ namespace: 'work', fieldSelector: 'spec.nodeName=x' }));
    assert.equal(bad.code, 400);
    assert.equal(bad.status.message, 'field label not supported: spec.nodeName');

    const events: string[] = [];
    const controller = await new Watch(api.kc).watch('/api/v1/namespaces/work/configmaps', { labelSelector: 'app=x' }, (type, obj: KubernetesObject) => {
      events.push(`${type} ${obj.metadata?.name ?? ''}`);
    }, () => undefined);
    await until(() => events.includes('ADDED sel-a'));
    await core.patchNamespacedConfigMap({ namespace: 'work', name: 'sel-b', body: { metadata: { labels: { app: 'x' } } } }, MERGE);
    await core.patchNamespacedConfigMap({ namespace: 'work', name: 'sel-a', body: { metadata: { labels: { app: 'z' } } } }, MERGE);
    await until(() => events.length === 3);
    controller.abort();
    assert.deepEqual(events, ['ADDED sel-a', 'ADDED sel-b', 'DELETED sel-a']);
  });

  it('deletes a collection by label selector', async () => {
    for (const name of ['dc-1', 'dc-2', 'dc-keep']) {
      await core.createNamespacedConfigMap({ namespace: 'work', body: model(V1ConfigMap, { metadata: { name, labels: { batch: name === 'dc-keep' ? 'no' : 'yes' } } }) });
    }
    await core.deleteCollectionNamespacedConfigMap({ namespace: 'work', labelSelector: 'batch=yes' });
    const left = (await core.listNamespacedConfigMap({ namespace: 'work', labelSelector: 'batch' })).items.map((c) => c.metadata?.name);
    assert.deepEqual(left, ['dc-keep']);
  });

  it('keeps an object with finalizers until they are removed, and forbids new ones while deleting', async () => {
    await core.createNamespacedConfigMap({ namespace: 'work', body: model(V1ConfigMap, { metadata: { name: 'held', finalizers: ['ferry.dev/hold'] } }) });
    await core.deleteNamespacedConfigMap({ namespace: 'work', name: 'held' });
    const deleting = await core.readNamespacedConfigMap({ namespace: 'work', name: 'held' });
    assert.ok(deleting.metadata?.deletionTimestamp instanceof Date);
    const more = await failure(core.patchNamespacedConfigMap({ namespace: 'work', name: 'held', body: { metadata: { finalizers: ['ferry.dev/hold', 'ferry.dev/other'] } } }, MERGE));
    assert.equal(more.code, 422);
    assert.match(more.status.message, /no new finalizers can be added if the object is being deleted/);
    await core.patchNamespacedConfigMap({ namespace: 'work', name: 'held', body: { metadata: { finalizers: null } } }, MERGE);
    assert.equal(await exists('work', 'held'), false);
  });

  it('garbage-collects dependents: background, orphan and foreground propagation, dangling owners', async () => {
    const owner = async (name: string): Promise<{ apiVersion: string; kind: string; name: string; uid: string }> => {
      const cm = await core.createNamespacedConfigMap({ namespace: 'work', body: model(V1ConfigMap, { metadata: { name } }) });
      return { apiVersion: 'v1', kind: 'ConfigMap', name, uid: cm.metadata?.uid ?? '' };
    };
    const dependent = (name: string, ref: { apiVersion: string; kind: string; name: string; uid: string }): Promise<V1ConfigMap> =>
      core.createNamespacedConfigMap({ namespace: 'work', body: model(V1ConfigMap, { metadata: { name, ownerReferences: [{ ...ref, blockOwnerDeletion: true }] } }) });

    await dependent('bg-child', await owner('bg-owner'));
    await core.deleteNamespacedConfigMap({ namespace: 'work', name: 'bg-owner' });
    await until(async () => !(await exists('work', 'bg-child')));

    await dependent('orphan-child', await owner('orphan-owner'));
    await core.deleteNamespacedConfigMap({ namespace: 'work', name: 'orphan-owner', propagationPolicy: 'Orphan' });
    await until(async () => !(await exists('work', 'orphan-owner')));
    const orphan = await core.readNamespacedConfigMap({ namespace: 'work', name: 'orphan-child' });
    assert.equal(orphan.metadata?.ownerReferences, undefined);

    await core.createNamespacedConfigMap({ namespace: 'work', body: model(V1ConfigMap, { metadata: { name: 'fg-child', finalizers: ['ferry.dev/slow'], ownerReferences: [await owner('fg-owner')] } }) });
    await core.deleteNamespacedConfigMap({ namespace: 'work', name: 'fg-owner', propagationPolicy: 'Foreground' });
    const waiting = await core.readNamespacedConfigMap({ namespace: 'work', name: 'fg-owner' });
    assert.deepEqual(waiting.metadata?.finalizers, ['foregroundDeletion']);
    await until(async () => (await core.readNamespacedConfigMap({ namespace: 'work', name: 'fg-child' })).metadata?.deletionTimestamp !== undefined);
    assert.equal(await exists('work', 'fg-owner'), true, 'the owner waits for its dependents');
    await core.patchNamespacedConfigMap({ namespace: 'work', name: 'fg-child', body: { metadata: { finalizers: null } } }, MERGE);
    await until(async () => !(await exists('work', 'fg-owner')));

    await dependent('dangling', { apiVersion: 'v1', kind: 'ConfigMap', name: 'never', uid: '00000000-0000-0000-0000-000000000000' });
    await until(async () => !(await exists('work', 'dangling')));
  });

  it('deletes a namespace with its contents, refusing new content while it terminates', async () => {
    await core.createNamespace({ body: model(V1Namespace, { metadata: { name: 'doomed' } }) });
    await core.createNamespacedConfigMap({ namespace: 'doomed', body: model(V1ConfigMap, { metadata: { name: 'c', finalizers: ['ferry.dev/hold'] } }) });
    await core.deleteNamespace({ name: 'doomed' });
    const ns = await core.readNamespace({ name: 'doomed' });
    assert.equal(ns.status?.phase, 'Terminating');
    const refused = await failure(core.createNamespacedConfigMap({ namespace: 'doomed', body: model(V1ConfigMap, { metadata: { name: 'late' } }) }));
    assert.equal(refused.code, 403);
    assert.match(refused.status.message, /unable to create new content in namespace doomed because it is being terminated/);
    await until(async () => (await core.readNamespacedConfigMap({ namespace: 'doomed', name: 'c' })).metadata?.deletionTimestamp !== undefined);
    await core.patchNamespacedConfigMap({ namespace: 'doomed', name: 'c', body: { metadata: { finalizers: null } } }, MERGE);
    await until(async () => (await core.listNamespace()).items.every((n) => n.metadata?.name !== 'doomed'));
  });

  it('validates pod node affinity exactly like kube-apiserver', async () => {
    const affinity = (expr: Record<string, unknown>): V1Pod =>
      pod('affine', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [expr] }] } } } });
    const prefix = 'spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0]';
    const cases: [string, Record<string, unknown>, string][] = [
      ['bad operator', { key: 'zone', operator: 'in', values: ['a'] }, `${prefix}.operator: Invalid value: "in": not a valid selector operator`],
      ['In without values', { key: 'zone', operator: 'In' }, `${prefix}.values: Required value: must be specified when \`operator\` is 'In' or 'NotIn'`],
      ['Exists with values', { key: 'zone', operator: 'Exists', values: ['a'] }, `${prefix}.values: Forbidden: may not be specified when \`operator\` is 'Exists' or 'DoesNotExist'`],
      ['Gt with two values', { key: 'cpu', operator: 'Gt', values: ['1', '2'] }, `${prefix}.values: Required value: must be specified single value when \`operator\` is 'Lt' or 'Gt'`],
    ];
    for (const [what, expr, message] of cases) {
      const res = await failure(core.createNamespacedPod({ namespace: 'work', body: affinity(expr) }));
      assert.equal(res.code, 422, what);
      assert.equal(res.status.reason, 'Invalid', what);
      assert.equal(res.status.message, `Pod "affine" is invalid: ${message}`, what);
    }
    const empty = await failure(core.createNamespacedPod({ namespace: 'work', body: pod('affine', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } } }) }));
    assert.match(empty.status.message, /nodeSelectorTerms: Required value: must have at least one node selector term/);
    const selector = await failure(core.createNamespacedPod({ namespace: 'work', body: pod('affine', { nodeSelector: { 'bad key!': 'v' } }) }));
    assert.match(selector.status.message, /^Pod "affine" is invalid: spec.nodeSelector: Invalid value: "bad key!": name part must consist of/);
    for (const [i, expr] of [
      { key: 'zone', operator: 'In', values: ['a', 'b'] },
      { key: 'cpu', operator: 'Gt', values: ['3'] },
      { key: 'gpu', operator: 'DoesNotExist' },
    ].entries()) {
      await core.createNamespacedPod({ namespace: 'work', body: model(V1Pod, affinity(expr), { metadata: { name: `ok-${i}` } }) });
    }
    const created = await core.readNamespacedPod({ namespace: 'work', name: 'ok-0' });
    assert.equal(created.status?.phase, 'Pending');
    assert.equal(created.spec?.restartPolicy, 'Always');
  });

  it('binds pods once, serves their logs and deletes bound pods gracefully', async () => {
    await core.createNamespacedPod({ namespace: 'work', body: pod('runner') });
    await core.createNamespacedPodBinding({ namespace: 'work', name: 'runner', body: model(V1Binding, { metadata: { name: 'runner' }, target: { kind: 'Node', name: 'node-1' } }) });
    const bound = await core.readNamespacedPod({ namespace: 'work', name: 'runner' });
    assert.equal(bound.spec?.nodeName, 'node-1');
    assert.equal(bound.status?.conditions?.find((c) => c.type === 'PodScheduled')?.status, 'True');
    const again = await failure(core.createNamespacedPodBinding({ namespace: 'work', name: 'runner', body: model(V1Binding, { metadata: { name: 'runner' }, target: { kind: 'Node', name: 'node-2' } }) }));
    assert.equal(again.code, 409);
    assert.equal(again.status.message, 'Operation cannot be fulfilled on pods/binding "runner": pod runner is already assigned to node "node-1"');

    assert.equal(await core.readNamespacedPodLog({ namespace: 'work', name: 'runner' }), '');
    const logFile = podLogPath(api.dir, 'work', 'runner', 'main');
    await mkdir(dirname(logFile), { recursive: true });
    await writeFile(logFile, 'one\ntwo\nthree\n');
    assert.equal(await core.readNamespacedPodLog({ namespace: 'work', name: 'runner' }), 'one\ntwo\nthree\n');
    assert.equal(await core.readNamespacedPodLog({ namespace: 'work', name: 'runner', tailLines: 2 }), 'two\nthree\n');

    const follow = await raw('/api/v1/namespaces/work/pods/runner/log?follow=true&tailLines=1');
    const reader = follow.body?.getReader();
    assert.ok(reader);
    const next = async (): Promise<string> => new TextDecoder().decode(((await reader.read()) as { value?: Uint8Array }).value);
    assert.equal(await next(), 'three\n');
    await appendFile(logFile, 'four\n');
    assert.equal(await next(), 'four\n');

    await core.deleteNamespacedPod({ namespace: 'work', name: 'runner' });
    const terminating = await core.readNamespacedPod({ namespace: 'work', name: 'runner' });
    assert.equal(terminating.metadata?.deletionGracePeriodSeconds, 30);
    await core.deleteNamespacedPod({ namespace: 'work', name: 'runner', gracePeriodSeconds: 0 });
    assert.equal((await failure(core.readNamespacedPod({ namespace: 'work', name: 'runner' }))).code, 404);
    assert.equal(((await reader.read()) as { done: boolean }).done, true, 'a followed log ends with its pod');
    await core.createNamespacedPod({ namespace: 'work', body: pod('unbound') });
    await core.deleteNamespacedPod({ namespace: 'work', name: 'unbound' });
    assert.equal((await failure(core.readNamespacedPod({ namespace: 'work', name: 'unbound' }))).code, 404);
  });

  it('changes status only through the status subresource and generation only on spec changes', async () => {
    const ds = await apps.createNamespacedDaemonSet({
      namespace: 'work',
      body: model(V1DaemonSet, {
        metadata: { name: 'agent' },
        spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'ferry:1' }] } } },
        status: { currentNumberScheduled: 9, desiredNumberScheduled: 9, numberMisscheduled: 0, numberReady: 9 },
      }),
    });
    assert.equal(ds.status?.desiredNumberScheduled, 0, 'create resets status');
    assert.equal(ds.metadata?.generation, 1);
    assert.equal(ds.spec?.revisionHistoryLimit, 10);
    const withStatus = await apps.replaceNamespacedDaemonSetStatus({ namespace: 'work', name: 'agent', body: model(V1DaemonSet, ds, { status: model(V1DaemonSetStatus, ds.status, { desiredNumberScheduled: 3 }) }) });
    assert.equal(withStatus.status?.desiredNumberScheduled, 3);
    assert.equal(withStatus.metadata?.generation, 1);
    const labelled = await apps.patchNamespacedDaemonSet({ namespace: 'work', name: 'agent', body: { metadata: { labels: { x: 'y' } }, status: { desiredNumberScheduled: 7 } } }, MERGE);
    assert.equal(labelled.metadata?.generation, 1);
    assert.equal(labelled.status?.desiredNumberScheduled, 3, 'main resource writes ignore status');
    const respec = await apps.patchNamespacedDaemonSet({ namespace: 'work', name: 'agent', body: { spec: { minReadySeconds: 5 } } }, MERGE);
    assert.equal(respec.metadata?.generation, 2);
    const badSelector = await failure(apps.patchNamespacedDaemonSet({ namespace: 'work', name: 'agent', body: { spec: { selector: { matchLabels: { app: 'other' } } } } }, MERGE));
    assert.equal(badSelector.code, 422);
    assert.match(badSelector.status.message, /`selector` does not match template `labels`/);
  });

  it("takes metadata through status writes as each kind's status strategy allows", async () => {
    const send = async (method: string, path: string, body: unknown): Promise<{ metadata: { labels?: Record<string, string>; annotations?: Record<string, string> } }> => {
      const res = await raw(path, { method, headers: { 'Content-Type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' }, body: JSON.stringify(body) });
      assert.ok(res.ok, `${method} ${path}: ${res.status} ${await res.clone().text()}`);
      return (await res.json()) as { metadata: { labels?: Record<string, string>; annotations?: Record<string, string> } };
    };
    const labelsAndStatus = { metadata: { labels: { via: 'status' }, annotations: { via: 'status' } } };
    const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } };
    await send('POST', '/apis/apps/v1/namespaces/work/deployments', { metadata: { name: 'web', labels: { app: 'web' } }, spec: { selector: { matchLabels: { app: 'web' } }, template } });
    const deployment = await send('PATCH', '/apis/apps/v1/namespaces/work/deployments/web/status', { ...labelsAndStatus, status: { replicas: 1 } });
    assert.deepEqual([deployment.metadata.labels, deployment.metadata.annotations], [{ app: 'web' }, { via: 'status' }], 'deployments/status keeps the labels only');
    await send('POST', '/apis/storage.k8s.io/v1/volumeattachments', { metadata: { name: 'va' }, spec: { attacher: 'd', nodeName: 'n', source: { persistentVolumeName: 'pv' } } });
    const attachment = await send('PATCH', '/apis/storage.k8s.io/v1/volumeattachments/va/status', { ...labelsAndStatus, status: { attached: true } });
    assert.deepEqual([attachment.metadata.labels, attachment.metadata.annotations], [undefined, undefined], 'volumeattachments/status keeps all metadata');
    await core.createNamespacedPod({ namespace: 'work', body: pod('held', { nodeName: 'node-1' }) });
    await core.patchNamespacedPod({ namespace: 'work', name: 'held', body: { metadata: { finalizers: ['ferry.dev/hold'] } } }, MERGE);
    await core.deleteNamespacedPod({ namespace: 'work', name: 'held', gracePeriodSeconds: 0 });
    await core.patchNamespacedPodStatus({ namespace: 'work', name: 'held', body: { metadata: { finalizers: null } } }, MERGE);
    assert.equal((await failure(core.readNamespacedPod({ namespace: 'work', name: 'held' }))).code, 404, 'a finalizer removed through pods/status releases the pod');
  });

  it('shows events.k8s.io/v1 events as core v1 events', async () => {
    const events = api.kc.makeApiClient(EventsV1Api);
    await events.createNamespacedEvent({
      namespace: 'work',
      body: model(EventsV1Event, { metadata: { name: 'ev-1' }, eventTime: new Date(), reportingController: 'ferry', reportingInstance: 'x', action: 'Bind', reason: 'Scheduled', note: 'placed', type: 'Normal', regarding: { kind: 'Pod', name: 'runner', namespace: 'work' } }),
    });
    const coreEvent = await core.readNamespacedEvent({ namespace: 'work', name: 'ev-1' });
    assert.equal(coreEvent.message, 'placed');
    assert.equal(coreEvent.involvedObject.name, 'runner');
    const byField = await core.listNamespacedEvent({ namespace: 'work', fieldSelector: 'involvedObject.name=runner,reason=Scheduled' });
    assert.deepEqual(byField.items.map((e) => e.metadata.name), ['ev-1']);
  });

  it('feeds an informer', async () => {
    const added: string[] = [];
    const deleted: string[] = [];
    const informer = makeInformer(api.kc, '/api/v1/namespaces/work/configmaps', () => core.listNamespacedConfigMap({ namespace: 'work' }));
    informer.on('add', (o: V1ConfigMap) => added.push(o.metadata?.name ?? ''));
    informer.on('delete', (o: V1ConfigMap) => deleted.push(o.metadata?.name ?? ''));
    await informer.start();
    await core.createNamespacedConfigMap({ namespace: 'work', body: model(V1ConfigMap, { metadata: { name: 'informed' } }) });
    await core.deleteNamespacedConfigMap({ namespace: 'work', name: 'informed' });
    await until(() => deleted.includes('informed'));
    await informer.stop();
    assert.ok(added.includes('race') && added.includes('informed'));
  });

  it('answers bad requests with a Status and keeps serving', async () => {
    const status = async (res: Response): Promise<{ kind: string; code: number; reason: string; message: string }> => {
      assert.match(res.headers.get('content-type') ?? '', /application\/json/);
      return (await res.json()) as { kind: string; code: number; reason: string; message: string };
    };
    const json = { 'Content-Type': 'application/json' };
    const cases: [string, Promise<Response>, number, string][] = [
      ['malformed JSON', raw('/api/v1/namespaces/work/configmaps', { method: 'POST', headers: json, body: '{"metadata":' }), 400, 'BadRequest'],
      ['not an object', raw('/api/v1/namespaces/work/configmaps', { method: 'POST', headers: json, body: '[1,2]' }), 400, 'BadRequest'],
      ['wrong kind', raw('/api/v1/namespaces/work/configmaps', { method: 'POST', headers: json, body: '{"kind":"Secret","metadata":{"name":"k"}}' }), 400, 'BadRequest'],
      ['labels of the wrong type', raw('/api/v1/namespaces/work/configmaps', { method: 'POST', headers: json, body: '{"metadata":{"name":"k","labels":{"a":1}}}' }), 400, 'BadRequest'],
      ['unknown resource', raw('/api/v1/namespaces/work/gizmos'), 404, 'NotFound'],
      ['unknown path', raw('/nothing/here'), 404, 'NotFound'],
      ['bad label selector', raw('/api/v1/configmaps?labelSelector=a%20in%20(b'), 400, 'BadRequest'],
      ['bad resourceVersion', raw('/api/v1/configmaps?watch=true&resourceVersion=abc'), 400, 'BadRequest'],
      ['bad limit', raw('/api/v1/configmaps?limit=-3'), 400, 'BadRequest'],
      ['bad continue', raw('/api/v1/configmaps?limit=1&continue=garbage'), 400, 'BadRequest'],
      ['unsupported patch type', raw('/api/v1/namespaces/work/configmaps/race', { method: 'PATCH', headers: { 'Content-Type': 'text/plain' }, body: 'x' }), 415, 'UnsupportedMediaType'],
      ['unappliable JSON patch', raw('/api/v1/namespaces/work/configmaps/race', { method: 'PATCH', headers: { 'Content-Type': 'application/json-patch+json' }, body: '[{"op":"explode"}]' }), 422, 'Invalid'],
      ['JSON patch that is not a list', raw('/api/v1/namespaces/work/configmaps/race', { method: 'PATCH', headers: { 'Content-Type': 'application/json-patch+json' }, body: '{"op":"add"}' }), 400, 'BadRequest'],
      ['method not allowed', raw('/api/v1/namespaces/work/configmaps/race/status', { method: 'PUT', headers: json, body: '{}' }), 404, 'NotFound'],
      ['body too large', raw('/api/v1/namespaces/work/configmaps', { method: 'POST', headers: json, body: 'x'.repeat(4 * 1024 * 1024) }), 413, 'RequestEntityTooLarge'],
      ['bad protobuf', raw('/api/v1/namespaces', { method: 'POST', headers: { 'Content-Type': 'application/vnd.kubernetes.protobuf' }, body: 'k8s\u0000\u000a\u00ff' }), 400, 'BadRequest'],
    ];
    for (const [what, request, code, reason] of cases) {
      const res = await request.catch((err: unknown) => assert.fail(`${what}: ${String(err)}`));
      assert.equal(res.status, code, what);
      const body = await status(res);
      assert.equal(body.kind, 'Status', what);
      assert.equal(body.code, code, what);
      assert.equal(body.reason, reason, what);
    }
    assert.equal(await (await raw('/readyz')).text(), 'ok');
    assert.equal((await core.readNamespacedConfigMap({ namespace: 'work', name: 'race' })).metadata?.name, 'race');
  });
});
