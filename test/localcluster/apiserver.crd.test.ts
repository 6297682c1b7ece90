/**
 * CustomResourceDefinitions on the embedded API server: Velero's DataUpload CRD created and used through
 * client-node, schema validation and pruning, a status subresource, printer columns, discovery, and deletion.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { ApiException, ApiextensionsV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import { startTestApiServer, type TestApiServer } from '../support/apiserver.js';

const CRDS = '/work/shared/reference/velero-crds';
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const DU = { group: 'velero.io', version: 'v2alpha1', namespace: 'velero', plural: 'datauploads' };

type Obj = Record<string, unknown> & { metadata: Record<string, unknown>; spec?: Record<string, unknown>; status?: Record<string, unknown> };

async function failure(promise: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ApiException);
    const body = (typeof err.body === 'string' ? JSON.parse(err.body) : err.body) as { message: string };
    return { code: err.code, message: body.message };
  }
  assert.fail('expected the request to fail');
}

/** A cluster-scoped CRD with a status subresource, a default and a minimum, sent as raw JSON. */
const WIDGET_CRD = {
  metadata: { name: 'widgets.test.ferry.dev' },
  spec: {
    group: 'test.ferry.dev',
    scope: 'Cluster',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wd'] },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: { type: 'object', required: ['size'], properties: { size: { type: 'integer', minimum: 1 }, color: { type: 'string', default: 'blue' } } },
              status: { type: 'object', properties: { ready: { type: 'boolean' } } },
            },
          },
        },
      },
    ],
  },
};

describe('custom resources on the embedded API server', () => {
  let api: TestApiServer;
  let objects: CustomObjectsApi;
  let ext: ApiextensionsV1Api;
  const raw = (path: string, init: RequestInit = {}): Promise<Response> => fetch(`${api.server.url}${path}`, init);

  before(async () => {
    api = await startTestApiServer();
    objects = api.kc.makeApiClient(CustomObjectsApi);
    ext = api.kc.makeApiClient(ApiextensionsV1Api);
    // Created as raw JSON: client-node's typed CRD model would drop `enum` and `default` from plain-object schemas.
    const createCrd = async (body: unknown): Promise<V1CustomResourceDefinition> => {
      const res = await raw('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      assert.equal(res.status, 201);
      return (await res.json()) as V1CustomResourceDefinition;
    };
    for (const file of ['velero.io_datauploads.yaml', 'velero.io_backupstoragelocations.yaml']) {
      const crd = await createCrd(parseYaml(await readFile(`${CRDS}/${file}`, 'utf8')));
      assert.equal(crd.status?.conditions?.find((c) => c.type === 'Established')?.status, 'True');
    }
    await createCrd(WIDGET_CRD);
    await fetch(`${api.server.url}/api/v1/namespaces`, { method: 'POST', body: JSON.stringify({ metadata: { name: 'velero' } }) });
  });
  after(async () => {
    await api.close();
  });

  it('is discoverable right after creation, in both discovery forms', async () => {
    const legacy = (await (await raw('/apis/velero.io/v2alpha1')).json()) as { resources: { name: string; kind: string; namespaced: boolean }[] };
    assert.deepEqual(legacy.resources.map((r) => [r.name, r.kind, r.namespaced]), [['datauploads', 'DataUpload', true]]);
    const res = await raw('/apis', { headers: { Accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' } });
    assert.equal(res.headers.get('content-type'), 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    const aggregated = (await res.json()) as { items: { metadata: { name: string }; versions: { version: string; resources: { resource: string; scope: string; shortNames?: string[] }[] }[] }[] };
    const velero = aggregated.items.find((g) => g.metadata.name === 'velero.io');
    assert.deepEqual(velero?.versions.map((v) => v.version).sort(), ['v1', 'v2alpha1']);
    const widgets = aggregated.items.find((g) => g.metadata.name === 'test.ferry.dev')?.versions[0]?.resources[0];
    assert.deepEqual([widgets?.resource, widgets?.scope, widgets?.shortNames], ['widgets', 'Cluster', ['wd']]);
  });

  it('round-trips a DataUpload and tracks generation on spec changes only', async () => {
    const body = {
      apiVersion: 'velero.io/v2alpha1',
      kind: 'DataUpload',
      metadata: { name: 'du-1', namespace: 'velero' },
      spec: { snapshotType: 'CSI', csiSnapshot: { volumeSnapshot: 'vs-1', storageClass: 'standard' }, sourceNamespace: 'app', sourcePVC: 'data', backupStorageLocation: 'default', operationTimeout: '10m', datamover: 'ferry' },
    };
    const created = (await objects.createNamespacedCustomObject({ ...DU, body })) as Obj;
    assert.deepEqual(created.spec, body.spec);
    assert.equal(created.metadata['generation'], 1);
    const progressed = (await objects.patchNamespacedCustomObject({ ...DU, name: 'du-1', body: { status: { phase: 'InProgress', progress: { bytesDone: 10, totalBytes: 100 } } } }, MERGE)) as Obj;
    assert.equal(progressed.metadata['generation'], 1, 'this CRD has no status subresource: status is an ordinary field without a generation bump');
    assert.equal(progressed.status?.['phase'], 'InProgress');
    const respec = (await objects.patchNamespacedCustomObject({ ...DU, name: 'du-1', body: { spec: { cancel: true } } }, MERGE)) as Obj;
    assert.equal(respec.metadata['generation'], 2);
    const read = (await objects.getNamespacedCustomObject({ ...DU, name: 'du-1' })) as Obj;
    assert.deepEqual(read, respec);
  });

  it('validates against the schema: enums, types, required fields', async () => {
    const bad = await failure(objects.patchNamespacedCustomObject({ ...DU, name: 'du-1', body: { status: { phase: 'Exploded' } } }, MERGE));
    assert.equal(bad.code, 422);
    assert.match(bad.message, /^DataUpload.velero.io "du-1" is invalid: status.phase: Unsupported value: "Exploded": supported values: "New", "Accepted", "Prepared", "InProgress", "Canceling", "Canceled", "Completed", "Failed"$/);
    const typed = await failure(objects.createClusterCustomObject({ group: 'test.ferry.dev', version: 'v1', plural: 'widgets', body: { apiVersion: 'test.ferry.dev/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 'big' } } }));
    assert.match(typed.message, /spec.size: Invalid value: "string": spec.size in body must be of type integer: "string"/);
    const missing = await failure(objects.createClusterCustomObject({ group: 'test.ferry.dev', version: 'v1', plural: 'widgets', body: { apiVersion: 'test.ferry.dev/v1', kind: 'Widget', metadata: { name: 'w' }, spec: {} } }));
    assert.match(missing.message, /spec.size: Required value/);
    const small = await failure(objects.createClusterCustomObject({ group: 'test.ferry.dev', version: 'v1', plural: 'widgets', body: { apiVersion: 'test.ferry.dev/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 0 } } }));
    assert.match(small.message, /spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1/);
  });

  it('prunes unknown fields (Warn by default, 400 with fieldValidation=Strict) and applies defaults', async () => {
    const res = await raw('/apis/test.ferry.dev/v1/widgets', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ apiVersion: 'test.ferry.dev/v1', kind: 'Widget', metadata: { name: 'w1' }, spec: { size: 2, shape: 'round' } }) });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('warning'), '299 - "unknown field \\"spec.shape\\""');
    const w1 = (await res.json()) as Obj;
    assert.deepEqual(w1.spec, { size: 2, color: 'blue' });
    const strict = await raw('/apis/test.ferry.dev/v1/widgets?fieldValidation=Strict', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ metadata: { name: 'w2' }, spec: { size: 2, shape: 'round' } }) });
    assert.equal(strict.status, 400);
    assert.match(((await strict.json()) as { message: string }).message, /strict decoding error: unknown field "spec.shape"/);
  });

  it('changes status only through the status subresource, and requires a resourceVersion to update either', async () => {
    const w = { group: 'test.ferry.dev', version: 'v1', plural: 'widgets', name: 'w1' };
    const current = (await objects.getClusterCustomObject(w)) as Obj;
    const viaMain = (await objects.replaceClusterCustomObject({ ...w, body: { ...current, status: { ready: true }, spec: { size: 3 } } })) as Obj;
    assert.equal(viaMain.status, undefined);
    assert.equal(viaMain.metadata['generation'], 2);
    const viaStatus = (await objects.patchClusterCustomObjectStatus({ ...w, body: { status: { ready: true }, spec: { size: 9 } } }, MERGE)) as Obj;
    assert.deepEqual(viaStatus.status, { ready: true });
    assert.equal((viaStatus.spec ?? {})['size'], 3);
    assert.equal(viaStatus.metadata['generation'], 2);
    const { metadata, ...rest } = viaStatus;
    const body = { ...rest, metadata: { ...metadata, resourceVersion: undefined } };
    for (const [what, replace] of [
      ['main resource', () => objects.replaceClusterCustomObject({ ...w, body })],
      ['status', () => objects.replaceClusterCustomObjectStatus({ ...w, body })],
    ] as const) {
      const unconditional = await failure(replace());
      assert.equal(unconditional.code, 422, what);
      assert.match(unconditional.message, /metadata.resourceVersion: Invalid value: 0: must be specified for an update/, what);
    }
    const undeclared = await raw('/apis/velero.io/v2alpha1/namespaces/velero/datauploads/du-1/status');
    assert.equal(undeclared.status, 404, 'Velero declares no status subresource');
    assert.equal(((await undeclared.json()) as { message: string }).message, 'datauploads.velero.io "du-1" not found');
    const strategic = await raw('/apis/test.ferry.dev/v1/widgets/w1', { method: 'PATCH', headers: { 'Content-Type': 'application/strategic-merge-patch+json' }, body: '{}' });
    assert.equal(strategic.status, 415);
  });

  it('prints custom resources as Tables with their printer columns', async () => {
    const res = await raw('/apis/velero.io/v2alpha1/namespaces/velero/datauploads', { headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' } });
    const table = (await res.json()) as { kind: string; columnDefinitions: { name: string; priority: number }[]; rows: { cells: unknown[] }[] };
    assert.equal(table.kind, 'Table');
    assert.deepEqual(table.columnDefinitions.map((c) => c.name), ['Name', 'Status', 'Started', 'Bytes Done', 'Total Bytes', 'Incremental Bytes', 'Storage Location', 'Age', 'Node']);
    assert.equal(table.columnDefinitions.find((c) => c.name === 'Incremental Bytes')?.priority, 10);
    const cells = table.rows[0]?.cells ?? [];
    assert.deepEqual(cells.slice(0, 5), ['du-1', 'InProgress', null, 10, 100]);
    assert.equal(cells[6], 'default');
  });

  it('deletes the custom resources with their CRD and stops serving them', async () => {
    await ext.deleteCustomResourceDefinition({ name: 'datauploads.velero.io' });
    for (let i = 0; i < 100 && (await raw('/apis/velero.io/v2alpha1')).status !== 404; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal((await raw('/apis/velero.io/v2alpha1')).status, 404);
    assert.equal((await raw('/apis/velero.io/v1')).status, 200, 'the BackupStorageLocation CRD is untouched');
    assert.equal(api.server.store.count('velero.io/datauploads'), 0);
    const crds = await ext.listCustomResourceDefinition();
    assert.ok(!crds.items.some((c) => c.metadata?.name === 'datauploads.velero.io'));
  });
});
