import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DataMovementController, dataUploadKind, SharedLimit } from './index.js';
import type { Exposer } from '../exposer/index.js';
import { podProblem } from '../exposer/index.js';
import type { KubeClient } from '../kube/client.js';
import { DATA_UPLOAD_DOWNLOAD_FINALIZER, type DataUpload } from '../kube/crds.js';
import { isAlreadyExists } from '../kube/errors.js';
import type { Pod } from '../kube/models.js';
import { R } from '../kube/resources.js';
import { startTestApiServer, type TestApiServer } from '../kube/testing.js';
import { DATA_UPLOAD_LABEL, EXPOSE_ON_GOING_LABEL } from '../kube/velero.js';
import { pollUntil } from '../kube/wait.js';
import { Informer } from '../kube/informer.js';
import { createLogger } from '../util/log.js';
import { createDataUpload } from '../datamover/testing.js';
import { veleroSchemaErrors } from '../../test/support/velero-schema.js';

const NS = 'velero';
const logger = createLogger({ level: process.env.TEST_LOG ?? 'silent' });

/** Creates the data-mover pod on a node the test picks, and records what the controller asked for. */
class FakeExposer implements Exposer<DataUpload> {
  readonly exposed: string[] = [];
  readonly cleaned: string[] = [];
  diagnosis: string | undefined;
  constructor(
    private readonly client: KubeClient,
    readonly nodeFor: (name: string) => string,
  ) {}

  async expose(du: DataUpload): Promise<void> {
    const name = du.metadata.name ?? '';
    this.exposed.push(name);
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: NS, labels: { [DATA_UPLOAD_LABEL]: name } },
      spec: { nodeName: this.nodeFor(name), containers: [{ name: 'mover', image: 'ferry/ferry:test' }] },
    };
    try {
      await this.client.create(R.pods, NS, pod);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }

  peek(pod: Pod): string | undefined {
    return podProblem(pod);
  }

  diagnose(): Promise<string | undefined> {
    return Promise.resolve(this.diagnosis);
  }

  async cleanUp(du: DataUpload): Promise<void> {
    this.cleaned.push(du.metadata.name ?? '');
    await this.client.delete(R.pods, { namespace: NS, name: du.metadata.name }, { gracePeriodSeconds: 0 });
  }
}

let api: TestApiServer;
let seq = 0;

async function newDataUpload(client: KubeClient, datamover = 'ferry'): Promise<string> {
  const name = `du-${++seq}`;
  await createDataUpload(client, NS, name, { datamover });
  return name;
}

const getDu = (name: string): Promise<DataUpload | undefined> => api.client.find<DataUpload>(R.dataUploads, { namespace: NS, name });

async function waitForDu(name: string, what: string, ok: (du: DataUpload) => boolean, timeoutMs = 10_000): Promise<DataUpload> {
  let last: DataUpload | undefined;
  return pollUntil(
    async () => {
      last = await getDu(name);
      return last !== undefined && ok(last) ? last : undefined;
    },
    { timeoutMs, intervalMs: 50, what: `${name} ${what}`, lastState: () => JSON.stringify(last?.status ?? null) },
  );
}

async function setPodStatus(name: string, status: Pod['status']): Promise<void> {
  await api.client.patch(R.pods, { namespace: NS, name, subresource: 'status' }, { status });
}

function terminated(exitCode: number, message: string): Pod['status'] {
  return {
    phase: exitCode === 0 ? 'Succeeded' : 'Failed',
    containerStatuses: [{ name: 'mover', image: 'ferry/ferry:test', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode, message } } }],
  };
}

const RESULT = JSON.stringify({ snapshotID: 'abc123', emptySnapshot: false, source: { byPath: '/uid', volumeMode: 'Filesystem' }, totalBytes: 4096, incrementalBytes: 1024 });

function controller(node: string, exposer: FakeExposer, { limit = 1, prepareTimeoutMs = 60_000, prepareQueueLength = Infinity } = {}): DataMovementController<DataUpload> {
  return new DataMovementController<DataUpload>({
    client: api.client,
    namespace: NS,
    nodeName: node,
    dataMoverName: 'ferry',
    kind: dataUploadKind(exposer),
    prepareTimeoutMs,
    load: new SharedLimit(limit),
    preparing: new SharedLimit(prepareQueueLength),
    logger,
    recheckMs: 200,
    cancelGraceMs: 2000,
  });
}

describe('DataMovementController against a real API server', () => {
  // Every version of every DataUpload the controllers write is checked against Velero's CRD schema.
  let recorder: Informer<DataUpload>;
  const schemaErrors: string[] = [];
  before(async () => {
    api = await startTestApiServer();
    recorder = new Informer<DataUpload>(api.client, {
      resource: R.dataUploads,
      namespace: NS,
      onEvent: (_type, du) => {
        for (const e of veleroSchemaErrors(du)) schemaErrors.push(`${du.metadata.name ?? ''} (${du.status?.phase ?? 'New'}): ${e}`);
      },
    }).start();
    await recorder.synced;
  });
  after(async () => {
    await recorder.stop();
    await api.close();
    assert.deepEqual(schemaErrors, [], 'every DataUpload written validates against Velero\'s schema');
  });

  it('lets exactly one of two racing node-agents claim a DataUpload, and ignores other data movers', async () => {
    const exposer1 = new FakeExposer(api.client, () => 'node-9');
    const exposer2 = new FakeExposer(api.client, () => 'node-9');
    const [c1, c2] = [controller('node-1', exposer1), controller('node-2', exposer2)];
    const names = [await newDataUpload(api.client), await newDataUpload(api.client), await newDataUpload(api.client)];
    const velero = await newDataUpload(api.client, 'velero');
    await Promise.all([c1.start(), c2.start()]);
    try {
      for (const name of names) {
        const du = await waitForDu(name, 'accepted', (d) => d.status?.phase === 'Accepted');
        assert.ok(['node-1', 'node-2'].includes(du.status?.acceptedByNode ?? ''));
        assert.ok(du.metadata.finalizers?.includes(DATA_UPLOAD_DOWNLOAD_FINALIZER));
        assert.equal(du.metadata.labels?.[EXPOSE_ON_GOING_LABEL], 'true');
      }
      await pollUntil(() => Promise.resolve(exposer1.exposed.length + exposer2.exposed.length >= names.length ? true : undefined), { timeoutMs: 5000, what: 'exposes' });
      assert.deepEqual([...exposer1.exposed, ...exposer2.exposed].sort(), [...names].sort(), 'each DataUpload is exposed once, by its winner');
      assert.equal((await getDu(velero))?.status?.phase, undefined, 'a DataUpload of another data mover is left alone');
    } finally {
      await Promise.all([c1.stop(), c2.stop()]);
    }
  });

  it('prepares on the pod\'s node, keeps to its loadConcurrency, and completes from the data mover\'s result', async () => {
    const exposer = new FakeExposer(api.client, () => 'node-2');
    const [c1, c2] = [controller('node-1', exposer), controller('node-2', exposer, { limit: 1 })];
    await Promise.all([c1.start(), c2.start()]);
    try {
      const [a, b] = [await newDataUpload(api.client), await newDataUpload(api.client)];
      for (const name of [a, b]) {
        await waitForDu(name, 'accepted', (d) => d.status?.phase === 'Accepted');
        await pollUntil(async () => api.client.find<Pod>(R.pods, { namespace: NS, name }), { timeoutMs: 5000, what: `pod ${name}` });
        await setPodStatus(name, { phase: 'Running' });
      }
      const first = await pollUntil(
        async () => {
          const [da, db] = [await getDu(a), await getDu(b)];
          const running = [da, db].filter((d) => d?.status?.phase === 'InProgress');
          const waiting = [da, db].filter((d) => d?.status?.phase === 'Prepared' && d.status.message?.includes('waiting for a free data path on node node-2'));
          return running.length === 1 && waiting.length === 1 ? running[0] : undefined;
        },
        { timeoutMs: 10_000, intervalMs: 50, what: 'one InProgress and one waiting for a data path' },
      );
      assert.equal(first.status?.node, 'node-2', 'Prepared/InProgress are set by the node the pod runs on');
      const firstName = first.metadata.name ?? '';
      const second = firstName === a ? b : a;
      await setPodStatus(firstName, terminated(0, RESULT));
      const done = await waitForDu(firstName, 'completed', (d) => d.status?.phase === 'Completed');
      const status = done.status!;
      assert.equal(status.snapshotID, 'abc123');
      assert.equal(status.path, '/uid');
      assert.equal(status.incrementalBytes, 1024);
      assert.deepEqual(status.progress, { totalBytes: 4096, bytesDone: 4096 });
      assert.ok(status.completionTimestamp);
      assert.ok(!(done.metadata.finalizers ?? []).includes(DATA_UPLOAD_DOWNLOAD_FINALIZER), 'the finalizer is released');
      assert.equal(done.metadata.labels?.[EXPOSE_ON_GOING_LABEL], undefined);
      assert.ok(exposer.cleaned.includes(firstName), 'the exposure is cleaned up');
      await waitForDu(second, 'started once the first finished', (d) => d.status?.phase === 'InProgress');
    } finally {
      await Promise.all([c1.stop(), c2.stop()]);
    }
  });

  it('claims no more than prepareQueueLength at once across node-agents; the next waits, saying why, until one starts', async () => {
    // Every labelled DataUpload counts, also those earlier tests left in preparation: the queue has room for one more.
    const before = (await api.client.list<DataUpload>(R.dataUploads, NS, { labelSelector: `${EXPOSE_ON_GOING_LABEL}=true` })).items.length;
    const length = before + 1;
    const exposer = new FakeExposer(api.client, () => 'node-2');
    const [c1, c2] = [controller('node-1', exposer, { prepareQueueLength: length }), controller('node-2', exposer, { limit: 2, prepareQueueLength: length })];
    await Promise.all([c1.start(), c2.start()]);
    try {
      const [a, b] = [await newDataUpload(api.client), await newDataUpload(api.client)];
      const [accepted, waiting] = await pollUntil(
        async () => {
          const [da, db] = [await getDu(a), await getDu(b)];
          const claimed = [da, db].filter((d) => d?.status?.phase === 'Accepted');
          const queued = [da, db].filter((d) => (d?.status?.phase ?? 'New') === 'New' && d?.status?.message?.includes(`loadConcurrency.prepareQueueLength allows (${length})`) === true);
          return claimed.length === 1 && queued.length === 1 ? [claimed[0], queued[0]] : undefined;
        },
        { timeoutMs: 10_000, intervalMs: 50, what: 'one Accepted and one waiting in the prepare queue' },
      );
      const first = accepted?.metadata.name ?? '';
      const second = waiting?.metadata.name ?? '';
      assert.equal(exposer.exposed.filter((n) => n === second).length, 0, 'the waiting one is not exposed');
      await pollUntil(async () => api.client.find<Pod>(R.pods, { namespace: NS, name: first }), { timeoutMs: 5000, what: `pod ${first}` });
      await setPodStatus(first, { phase: 'Running' });
      await waitForDu(first, 'started', (d) => d.status?.phase === 'InProgress');
      const claimed = await waitForDu(second, 'claimed once the first left preparation', (d) => d.status?.phase === 'Accepted');
      assert.equal(claimed.status?.message, undefined, 'the waiting message is dropped when it is claimed');
    } finally {
      await Promise.all([c1.stop(), c2.stop()]);
    }
  });

  it('fails an upload whose pod disappears mid-way, and cancels one whose data mover stops as canceled', async () => {
    const exposer = new FakeExposer(api.client, () => 'node-1');
    const c1 = controller('node-1', exposer, { limit: 2 });
    await c1.start();
    try {
      const [gone, canceled] = [await newDataUpload(api.client), await newDataUpload(api.client)];
      for (const name of [gone, canceled]) {
        await pollUntil(async () => api.client.find<Pod>(R.pods, { namespace: NS, name }), { timeoutMs: 5000, what: `pod ${name}` });
        await setPodStatus(name, { phase: 'Running' });
        await waitForDu(name, 'started', (d) => d.status?.phase === 'InProgress');
      }
      await api.client.delete(R.pods, { namespace: NS, name: gone }, { gracePeriodSeconds: 0 });
      const failed = await waitForDu(gone, 'failed', (d) => d.status?.phase === 'Failed');
      assert.match(failed.status?.message ?? '', /data-mover pod velero\/du-\d+ disappeared while the data upload was in progress/);

      await api.client.patch(R.dataUploads, { namespace: NS, name: canceled }, { spec: { cancel: true } });
      await waitForDu(canceled, 'canceling', (d) => d.status?.phase === 'Canceling');
      await setPodStatus(canceled, terminated(1, 'data upload x was canceled: data path is canceled'));
      const done = await waitForDu(canceled, 'canceled', (d) => d.status?.phase === 'Canceled');
      assert.match(done.status?.message ?? '', /data path is canceled$/);
      assert.ok(exposer.cleaned.includes(gone) && exposer.cleaned.includes(canceled));
    } finally {
      await c1.stop();
    }
  });

  it('says why the pod is not placed at once, and fails at the prepare timeout with that reason', async () => {
    const exposer = new FakeExposer(api.client, () => 'node-3');
    exposer.diagnosis = 'no node matches its node affinity (loadAffinity[0]): node-3: kubernetes.io/hostname In [node-9]';
    const c1 = controller('node-1', exposer, { prepareTimeoutMs: 2500 });
    await c1.start();
    try {
      const name = await newDataUpload(api.client);
      const accepted = await waitForDu(name, 'accepted', (d) => d.status?.phase === 'Accepted');
      const explained = await waitForDu(name, 'explained', (d) => d.status?.message === exposer.diagnosis, 2000);
      const sinceAccepted = Date.parse(String(explained.status?.acceptedTimestamp)) ;
      assert.ok(Number.isFinite(sinceAccepted) && accepted.status?.phase === 'Accepted');
      const failed = await waitForDu(name, 'failed', (d) => d.status?.phase === 'Failed', 6000);
      assert.equal(failed.status?.message, `timeout on preparing data upload: ${exposer.diagnosis}`);
      assert.ok(exposer.cleaned.includes(name));
    } finally {
      await c1.stop();
    }
  });

  it('drops a reason that no longer holds from status.message while it waits', async () => {
    const exposer = new FakeExposer(api.client, () => 'node-3');
    exposer.diagnosis = 'waiting for a pod using PVC app/x to be scheduled';
    const c1 = controller('node-1', exposer);
    await c1.start();
    try {
      const name = await newDataUpload(api.client);
      await waitForDu(name, 'explained', (d) => d.status?.message === exposer.diagnosis);
      exposer.diagnosis = undefined;
      const cleared = await waitForDu(name, 'its message dropped', (d) => d.status?.message === undefined, 3000);
      assert.equal(cleared.status?.phase, 'Accepted');
    } finally {
      await c1.stop();
    }
  });

  it('cancels a DataUpload being deleted and lets it go', async () => {
    const exposer = new FakeExposer(api.client, () => 'node-3');
    const c1 = controller('node-1', exposer);
    await c1.start();
    try {
      const name = await newDataUpload(api.client);
      await waitForDu(name, 'accepted', (d) => d.status?.phase === 'Accepted');
      await api.client.delete(R.dataUploads, { namespace: NS, name });
      await pollUntil(async () => ((await getDu(name)) === undefined ? true : undefined), { timeoutMs: 5000, what: `${name} to be deleted` });
      assert.ok(exposer.cleaned.includes(name));
      assert.equal(await api.client.find(R.pods, { namespace: NS, name }), undefined, 'its pod is gone too');
    } finally {
      await c1.stop();
    }
  });

  it('picks up after a restart: a running data mover is re-attached, a vanished one fails', async () => {
    const exposer = new FakeExposer(api.client, () => 'node-1');
    const before = controller('node-1', exposer, { limit: 2 });
    await before.start();
    const [kept, lost] = [await newDataUpload(api.client), await newDataUpload(api.client)];
    for (const name of [kept, lost]) {
      await pollUntil(async () => api.client.find<Pod>(R.pods, { namespace: NS, name }), { timeoutMs: 5000, what: `pod ${name}` });
      await setPodStatus(name, { phase: 'Running' });
      await waitForDu(name, 'started', (d) => d.status?.phase === 'InProgress');
    }
    await before.stop();
    await api.client.delete(R.pods, { namespace: NS, name: lost }, { gracePeriodSeconds: 0 });
    await setPodStatus(kept, terminated(0, RESULT));
    const after = controller('node-1', exposer, { limit: 2 });
    await after.start();
    try {
      assert.equal((await waitForDu(kept, 'completed', (d) => d.status?.phase === 'Completed')).status?.snapshotID, 'abc123');
      assert.match((await waitForDu(lost, 'failed', (d) => d.status?.phase === 'Failed')).status?.message ?? '', /disappeared/);
    } finally {
      await after.stop();
    }
  });
});
