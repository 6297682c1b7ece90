import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { once } from 'node:events';
import { kubeconfigYaml } from '../localcluster/kubeconfig.js';
import { createKubeClient } from './client.js';
import { Informer, type InformerEventType } from './informer.js';
import type { ConfigMap, Pod } from './models.js';
import { R } from './resources.js';
import type { VolumeSnapshotContent } from './snapshots.js';
import { startTestApiServer, type TestApiServer } from './testing.js';
import { pollUntil } from './wait.js';

const cm = (name: string, data: Record<string, string> = {}, labels?: Record<string, string>): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'velero', ...(labels === undefined ? {} : { labels }) },
  data,
});
const pod = (name: string, nodeName: string): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'velero' }, spec: { nodeName, containers: [{ name: 'c', image: 'busybox' }] } });

/** What `onEvent` saw, as `type name [old's data.v]`, so a test can say which version `old` was. */
function recorder(): { events: string[]; onEvent: (type: InformerEventType, obj: ConfigMap | Pod, old: ConfigMap | Pod | undefined) => void } {
  const events: string[] = [];
  return {
    events,
    onEvent: (type, obj, old) => {
      const was = old === undefined ? '' : ` was ${(old as ConfigMap).data?.v ?? 'present'}`;
      events.push(`${type} ${obj.metadata?.name ?? ''}${was}`);
    },
  };
}

function until(events: string[], event: string): Promise<true> {
  return pollUntil(() => Promise.resolve(events.includes(event) ? true : undefined), { timeoutMs: 5000, intervalMs: 10, what: event });
}

/** A TCP relay to the API server that can be cut and brought back on the same port, as a network outage. */
async function startRelay(target: URL): Promise<{ url: string; cut(): Promise<void>; restore(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let server: Server;
  const listen = async (port: number): Promise<number> => {
    server = createServer((inbound) => {
      const outbound = connect(Number(target.port), target.hostname);
      for (const s of [inbound, outbound]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => undefined);
      }
      inbound.pipe(outbound).pipe(inbound);
    });
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  };
  const port = await listen(0);
  return {
    url: `http://127.0.0.1:${String(port)}`,
    async cut() {
      const closed = new Promise((resolve) => server.close(resolve));
      for (const s of sockets) s.destroy();
      await closed;
    },
    async restore() {
      await listen(port);
    },
  };
}

describe('Informer', () => {
  let api: TestApiServer;
  before(async () => {
    api = await startTestApiServer();
  });
  after(() => api.close());

  it('lists, then follows changes, and a written object is seen at once', async () => {
    await api.client.create(R.configMaps, 'velero', cm('before'));
    const events: string[] = [];
    const informer = new Informer<ConfigMap>(api.client, {
      resource: R.configMaps,
      namespace: 'velero',
      labelSelector: 'watched',
      onEvent: (type: InformerEventType, obj) => events.push(`${type} ${obj.metadata?.name ?? ''}`),
    }).start();
    await informer.synced;
    assert.equal(informer.list().length, 0, 'the label selector applies');
    const written = await api.client.create(R.configMaps, 'velero', cm('a', {}, { watched: 'yes' }));
    informer.observe(written);
    assert.equal(informer.get('a')?.metadata?.resourceVersion, written.metadata?.resourceVersion);
    await api.client.patch(R.configMaps, { namespace: 'velero', name: 'a' }, { data: { x: '1' } });
    await api.client.delete(R.configMaps, { namespace: 'velero', name: 'a' });
    await until(events, 'deleted a');
    await informer.stop();
    assert.deepEqual(events, ['updated a', 'deleted a'], 'the observed write is not reported again as added');
    assert.equal(informer.get('a'), undefined);
  });

  it('watches one node’s pods by field selector, and reports the cached version on delete', async () => {
    await api.client.create(R.pods, 'velero', pod('here-early', 'n1'));
    await api.client.create(R.pods, 'velero', pod('elsewhere', 'n2'));
    const { events, onEvent } = recorder();
    const informer = new Informer<Pod>(api.client, { resource: R.pods, fieldSelector: 'spec.nodeName=n1', onEvent }).start();
    await informer.synced;
    assert.deepEqual(events, ['added here-early'], 'the initial objects are delivered before synced resolves');
    await api.client.create(R.pods, 'velero', pod('here-late', 'n1'));
    await api.client.create(R.pods, 'velero', pod('elsewhere-late', 'n2'));
    await api.client.delete(R.pods, { namespace: 'velero', name: 'here-early' }, { gracePeriodSeconds: 0 });
    await until(events, 'deleted here-early was present');
    await informer.stop();
    assert.deepEqual(
      informer.list().map((p) => p.metadata?.name),
      ['here-late'],
    );
    assert.ok(!events.some((e) => e.includes('elsewhere')), 'pods of other nodes are not seen');
  });

  it('caches a cluster-scoped kind by name alone', async () => {
    const content: VolumeSnapshotContent = {
      apiVersion: 'snapshot.storage.k8s.io/v1',
      kind: 'VolumeSnapshotContent',
      metadata: { name: 'vsc-1' },
      spec: { driver: 'd', deletionPolicy: 'Delete', source: { snapshotHandle: 'h' }, volumeSnapshotRef: { name: 'vs', namespace: 'velero' } },
    };
    await api.client.create(R.volumeSnapshotContents, undefined, content);
    const informer = new Informer<VolumeSnapshotContent>(api.client, { resource: R.volumeSnapshotContents }).start();
    await informer.synced;
    await informer.stop();
    assert.equal(informer.get('vsc-1')?.spec.driver, 'd');
  });

  it('after losing the connection lists again, reporting what changed and what vanished meanwhile', async () => {
    const relay = await startRelay(new URL(api.url));
    const kubeconfig = join(api.dir, 'relay-kubeconfig');
    await writeFile(kubeconfig, kubeconfigYaml(relay.url));
    const client = createKubeClient({ kubeconfig });
    for (const name of ['stays', 'changes', 'goes']) await api.client.create(R.configMaps, 'velero', cm(name, { v: '1' }, { relay: 'yes' }));
    const { events, onEvent } = recorder();
    const informer = new Informer<ConfigMap>(client, { resource: R.configMaps, namespace: 'velero', labelSelector: 'relay', onEvent, maxBackoffMs: 250 }).start();
    try {
      await informer.synced;
      events.length = 0;
      await relay.cut();
      await api.client.patch(R.configMaps, { namespace: 'velero', name: 'changes' }, { data: { v: '2' } });
      await api.client.delete(R.configMaps, { namespace: 'velero', name: 'goes' });
      await api.client.create(R.configMaps, 'velero', cm('new', { v: '1' }, { relay: 'yes' }));
      await relay.restore();
      await until(events, 'deleted goes was 1');
      await until(events, 'added new');
      assert.deepEqual([...events].sort(), ['added new', 'deleted goes was 1', 'updated changes was 1']);
      assert.deepEqual(informer.list().map((c) => c.metadata?.name).sort(), ['changes', 'new', 'stays']);
    } finally {
      await informer.stop();
      client.close();
      await relay.cut();
    }
  });
});
