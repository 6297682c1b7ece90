/**
 * Restore node selection on zonal storage (each volume is usable only in the zone of the node it was provisioned
 * for, as with cloud disks): per-storage-class loadAffinity entries pick different nodes for the backup and for a
 * restore into another class, and `restorePVC.ignoreDelayBinding: true` places a WaitForFirstConsumer target's
 * restore pod by loadAffinity instead of on the workload's node — the restored volume then carries the restore
 * node's zone, so the workload can use it only because the entry keeps restores in its zone (Velero's rule: users
 * who ignore delayed binding must know their topology).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeAgentConfig } from '../../src/config/types.js';
import type { DataDownload } from '../../src/kube/crds.js';
import type { PersistentVolume, PersistentVolumeClaim, Plain, Pod } from '../../src/kube/models.js';
import { R } from '../../src/kube/resources.js';
import { persistentVolumePath } from '../../src/localcluster/storage/paths.js';
import { eventually, kubectlSkip, NS, ok, putConfigMap, startE2e, type E2e } from './harness.js';
import { dataUploadOf, expectNoLeftovers, filledVolume, storageClass, treeDifferences } from './volumes.js';

const skip = kubectlSkip();
const ZONE = 'topology.kubernetes.io/zone';

const onNode = (node: string) => ({ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] });

/** Seed zones: westeurope-1 = node-1, node-4; westeurope-2 = node-2, node-5; westeurope-3 = node-3. */
const CONFIG: Plain<NodeAgentConfig> = {
  loadAffinity: [
    { storageClass: 'zonal-a', nodeSelector: onNode('node-4') },
    { storageClass: 'zonal-b', nodeSelector: onNode('node-5') },
  ],
  restorePVC: { ignoreDelayBinding: true },
};

async function restoreOf(e2e: E2e, restore: string): Promise<DataDownload> {
  const { items } = await e2e.client.list<DataDownload>(R.dataDownloads, NS, { labelSelector: `velero.io/restore-name=${restore}` });
  const [dd] = items;
  if (items.length !== 1 || dd === undefined) throw new Error(`restore ${restore} has ${items.length} DataDownloads`);
  return dd;
}

/** The PV bound to the claim, with its zone (the `In` value of its node affinity). */
async function boundVolume(e2e: E2e, namespace: string, name: string): Promise<{ pv: PersistentVolume; zone: string | undefined }> {
  const claim = await e2e.client.get<PersistentVolumeClaim>(R.persistentVolumeClaims, { namespace, name });
  assert.equal(claim.status?.phase, 'Bound', `${namespace}/${name}`);
  const pv = await e2e.client.get<PersistentVolume>(R.persistentVolumes, { name: claim.spec?.volumeName });
  const terms = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms ?? [];
  const zone = terms.flatMap((t) => t.matchExpressions ?? []).find((e) => e.key === ZONE)?.values?.[0];
  return { pv, zone };
}

function workload(name: string, claimName: string, node: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'app' },
    spec: {
      nodeSelector: { 'kubernetes.io/hostname': node },
      containers: [{ name: 'app', image: 'busybox', volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }],
    },
  };
}

describe('restore node selection on zonal storage (e2e)', { skip, timeout: 240_000 }, () => {
  let e2e: E2e;
  let saved: string;
  let du: string;
  const restorePodNodes = new Map<string, string>();

  /** Restores the backed-up volume into `app/<pvc>` of the class; the restore's pod node is recorded on the way. */
  const restore = async (name: string, pvc: string, sc: string, consumer?: { pod: string; node: string }): Promise<DataDownload> => {
    ok(await e2e.ferry(['restore', 'create', name, '--data-upload', du, '--target-pvc', `app/${pvc}`, '--storage-class', sc]), 'ferry restore create');
    if (consumer !== undefined) await e2e.client.create(R.pods, 'app', workload(consumer.pod, pvc, consumer.node));
    let last = '';
    return eventually(
      `restore ${name} to end`,
      async () => {
        const dd = await restoreOf(e2e, name);
        const pod = await e2e.client.find<Pod>(R.pods, { namespace: NS, name: dd.metadata.name ?? '' });
        if (pod?.spec?.nodeName !== undefined) restorePodNodes.set(name, pod.spec.nodeName);
        last = `${dd.status?.phase ?? 'New'}: ${dd.status?.message ?? ''}`;
        return ['Completed', 'Failed', 'Canceled'].includes(dd.status?.phase ?? '') ? dd : undefined;
      },
      60_000,
      () => last,
    );
  };

  before(async () => {
    e2e = await startE2e({ storage: { topology: 'zone' }, objectStore: true });
    await storageClass(e2e, 'zonal-a', 'WaitForFirstConsumer');
    await storageClass(e2e, 'zonal-b', 'WaitForFirstConsumer');
    await putConfigMap(e2e.client, 'node-agent-config', CONFIG);
    ok(await e2e.ferry(['install', '--node-agent-configmap', 'node-agent-config', '--wait']), 'ferry install');
    saved = await mkdtemp(join(tmpdir(), 'ferry-e2e-saved-'));
  });
  after(async () => {
    await e2e.stop();
    await rm(saved, { recursive: true, force: true });
  });

  it('per-storage-class entries: a class-A backup runs on A\'s node, its restore into class B on B\'s node', async () => {
    // The source lives in westeurope-1 (its consumer runs on node-1); A's entry allows node-4, in the same zone.
    const volume = await filledVolume(e2e, 'app', 'src', 'zonal-a', { consumerNode: 'node-1' });
    await cp(volume.dir, saved, { recursive: true, verbatimSymlinks: true });
    ok(await e2e.ferry(['backup', 'create', 'b-src', '--pvc', 'app/src', '--wait']), 'ferry backup create');
    const upload = await dataUploadOf(e2e, 'b-src');
    du = upload.metadata.name ?? '';
    assert.equal(upload.status?.node, 'node-4', 'the zonal-a entry, not the consumer\'s node');
    assert.equal(e2e.moverPods.get(du)?.spec?.nodeName, 'node-4');

    const dd = await restore('r-b', 'to-b', 'zonal-b');
    assert.equal(dd.status?.phase, 'Completed', dd.status?.message);
    assert.equal(dd.status.node, 'node-5', 'the zonal-b entry of the target\'s class');
    assert.equal(restorePodNodes.get('r-b'), 'node-5');
    const { pv, zone } = await boundVolume(e2e, 'app', 'to-b');
    assert.equal(pv.spec?.storageClassName, 'zonal-b');
    assert.equal(zone, 'westeurope-2', 'provisioned where the restore pod ran');
    const dir = persistentVolumePath(e2e.cluster.api.dir, 'node-5', pv);
    assert.ok(dir !== undefined);
    assert.deepEqual(await treeDifferences(saved, dir), []);
    await expectNoLeftovers(e2e);
  });

  it('ignoreDelayBinding: a WaitForFirstConsumer target is restored where loadAffinity says, and its workload then uses it', async () => {
    // The workload is pinned to node-2, which the zonal-b entry does not allow; node-5 shares its zone.
    const dd = await restore('r-idb', 'to-idb', 'zonal-b', { pod: 'idb-app', node: 'node-2' });
    assert.equal(dd.status?.phase, 'Completed', dd.status?.message);
    assert.equal(dd.status.node, 'node-5', 'loadAffinity, not the workload\'s node-2');
    assert.equal(restorePodNodes.get('r-idb'), 'node-5');
    const app = await eventually('the workload to run on its node with the restored volume', async () => {
      const pod = await e2e.client.get<Pod>(R.pods, { namespace: 'app', name: 'idb-app' });
      return pod.status?.phase === 'Running' ? pod : undefined;
    }, 30_000);
    assert.equal(app.spec?.nodeName, 'node-2');
    const { pv, zone } = await boundVolume(e2e, 'app', 'to-idb');
    assert.equal(zone, 'westeurope-2', 'the restore node\'s zone, which holds the workload\'s node');
    const dir = persistentVolumePath(e2e.cluster.api.dir, 'node-2', pv);
    assert.ok(dir !== undefined);
    assert.deepEqual(await treeDifferences(saved, dir), []);
    await expectNoLeftovers(e2e);
  });
});
