// The hostpath CSI driver against the embedded API server: classes, provisioning with topology, WaitForFirstConsumer,
// binding, reclaim, and snapshots restored into new claims, with data written and read by real pods of the kubelet.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { lstat, readFile, readdir, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, KubernetesObjectApi, StorageV1Api, type V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { DEFAULT_FERRY_IMAGE } from '../../src/kube/image.js';
import { MERGE_PATCH, type Manifest } from '../../src/localcluster/kubelet/api.js';
import { startKubelet, type Kubelet } from '../../src/localcluster/kubelet/index.js';
import { podManifest, waitFor } from '../../src/localcluster/kubelet/testing.js';
import { DRIVER_NAME, SNAPSHOT_CLASS, startHostpathDriver, STORAGE_CLASS, WFFC_STORAGE_CLASS, type HostpathDriver } from '../../src/localcluster/storage/index.js';
import type { Observed, VolumeSnapshot as Snapshot, VolumeSnapshotContent as Content } from '../../src/kube/snapshots.js';
import { createLogger } from '../../src/util/log.js';
import { startTestApiServer, type TestApiServer } from '../support/apiserver.js';

type VolumeSnapshot = Observed<Snapshot>;
type VolumeSnapshotContent = Observed<Content>;

const NS = 'default';
const SNAP = { group: 'snapshot.storage.k8s.io', version: 'v1' };
const logger = createLogger({ level: 'silent' });

function node(name: string, zone: string): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': zone, 'kubernetes.io/os': 'linux' } },
    status: { conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

function claim(name: string, spec: Record<string, unknown> = {}, namespace = NS): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec },
  };
}

interface Tree {
  /** Every entry under the directory: type, mode and content digest (or link target). */
  entries: Record<string, string>;
  mtimesMs: Record<string, number>;
}

async function tree(dir: string, prefix = '', into: Tree = { entries: {}, mtimesMs: {} }): Promise<Tree> {
  for (const name of (await readdir(join(dir, prefix))).sort()) {
    const rel = join(prefix, name);
    const st = await lstat(join(dir, rel));
    const mode = (st.mode & 0o7777).toString(8);
    into.mtimesMs[rel] = st.mtimeMs;
    if (st.isSymbolicLink()) into.entries[rel] = `link -> ${await readlink(join(dir, rel))}`;
    else if (st.isDirectory()) {
      into.entries[rel] = `dir ${mode}`;
      await tree(dir, rel, into);
    } else into.entries[rel] = `file ${mode} ${createHash('sha256').update(await readFile(join(dir, rel))).digest('hex')}`;
  }
  return into;
}

/** Same entries, and the same times to 10 µs (Node sets file times as floating-point seconds). */
function assertSameTree(actual: Tree, expected: Tree): void {
  assert.deepEqual(actual.entries, expected.entries);
  for (const [path, ms] of Object.entries(expected.mtimesMs)) {
    assert.ok(Math.abs((actual.mtimesMs[path] ?? 0) - ms) < 0.01, `mtime of ${path}: ${actual.mtimesMs[path] ?? 'none'} vs ${ms}`);
  }
}

describe('hostpath CSI driver', { timeout: 120_000 }, () => {
  let api: TestApiServer;
  let core: CoreV1Api;
  let custom: CustomObjectsApi;
  let objects: KubernetesObjectApi;
  let driver: HostpathDriver;
  let kubelet: Kubelet;

  const pvc = (name: string, until: (c: V1PersistentVolumeClaim) => boolean, namespace = NS) =>
    waitFor(() => core.readNamespacedPersistentVolumeClaim({ name, namespace }), until);
  const bound = (c: V1PersistentVolumeClaim) => c.status?.phase === 'Bound';
  const snapshot = (name: string, namespace = NS) =>
    waitFor(
      async () => (await custom.getNamespacedCustomObject({ ...SNAP, plural: 'volumesnapshots', namespace, name })) as VolumeSnapshot,
      (vs) => vs.status?.readyToUse === true,
    );
  const content = async (name: string) => (await custom.getClusterCustomObject({ ...SNAP, plural: 'volumesnapshotcontents', name })) as VolumeSnapshotContent;
  const gone = (read: () => Promise<unknown>) => waitFor(() => read().then(() => false, () => true), (g) => g);
  const volumeDir = (pv: string) => join(api.dir, 'volumes', pv);
  /** Runs `script` (JS, with fs and root in scope) in a pod of Ferry's image on node-1 with the claim at /data. */
  const runPod = async (name: string, claimName: string, script: string): Promise<string> => {
    const command = ['node', '-e', `const fs=require('fs');const root=process.env.FERRY_CONTAINER_ROOT;${script}`];
    const volumes = [{ name: 'data', persistentVolumeClaim: { claimName } }];
    await objects.create(podManifest(name, 'node-1', { restartPolicy: 'Never', containers: [{ name: 'main', image: DEFAULT_FERRY_IMAGE, command, volumeMounts: [{ name: 'data', mountPath: '/data' }] }], volumes }));
    const done = await waitFor(() => core.readNamespacedPod({ name, namespace: NS }), (p) => ['Succeeded', 'Failed'].includes(p.status?.phase ?? ''));
    const terminated = done.status?.containerStatuses?.[0]?.state?.terminated;
    assert.equal(done.status?.phase, 'Succeeded', terminated?.message);
    return terminated?.message ?? '';
  };

  before(async () => {
    api = await startTestApiServer();
    core = api.kc.makeApiClient(CoreV1Api);
    custom = api.kc.makeApiClient(CustomObjectsApi);
    objects = KubernetesObjectApi.makeApiClient(api.kc);
    for (const [name, zone] of [['node-1', 'zone-a'], ['node-2', 'zone-a'], ['node-3', 'zone-b']] as const) await objects.create(node(name, zone));
    await objects.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'velero' } });
    driver = await startHostpathDriver(api.kc, { dir: api.dir, logger });
    kubelet = await startKubelet(api.kc, { nodeName: 'node-1', dir: api.dir, kubeconfigPath: api.kubeconfigPath, logger });
  });
  after(async () => {
    await kubelet.stop();
    await driver.stop();
    await api.close();
  });

  it('installs its CSIDriver, StorageClasses and default VolumeSnapshotClass', async () => {
    const storage = api.kc.makeApiClient(StorageV1Api);
    const immediate = await storage.readStorageClass({ name: STORAGE_CLASS });
    assert.equal(immediate.provisioner, DRIVER_NAME);
    assert.equal(immediate.volumeBindingMode, 'Immediate');
    assert.equal(immediate.reclaimPolicy, 'Delete');
    assert.equal(immediate.allowVolumeExpansion, false);
    assert.equal(immediate.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'], 'true');
    assert.equal((await storage.readStorageClass({ name: WFFC_STORAGE_CLASS })).volumeBindingMode, 'WaitForFirstConsumer');
    assert.equal((await storage.readCSIDriver({ name: DRIVER_NAME })).spec.attachRequired, false);
    const vsclass = (await custom.getClusterCustomObject({ ...SNAP, plural: 'volumesnapshotclasses', name: SNAPSHOT_CLASS })) as Record<string, unknown>;
    assert.equal(vsclass['driver'], DRIVER_NAME);
    assert.equal(vsclass['deletionPolicy'], 'Delete');
  });

  it('provisions an Immediate claim (default class) as pvc-<uid> on the next node, binds both ways', async () => {
    await objects.create(claim('first'));
    await objects.create(claim('second', { storageClassName: STORAGE_CLASS, resources: { requests: { storage: '2Gi' } } }));
    const first = await pvc('first', bound);
    const second = await pvc('second', bound);
    assert.equal(first.spec?.storageClassName, STORAGE_CLASS, 'the DefaultStorageClass admission names the class a claim without one gets');
    const classless = await objects.create(claim('classless', { storageClassName: '' }), undefined, 'All');
    assert.equal((classless.spec as { storageClassName?: string } | undefined)?.storageClassName, '', 'an explicit "" (no class) is kept');
    const pv = await core.readPersistentVolume({ name: first.spec.volumeName ?? '' });
    assert.equal(pv.metadata?.name, `pvc-${first.metadata?.uid ?? ''}`);
    assert.equal(pv.spec?.csi?.driver, DRIVER_NAME);
    assert.equal(pv.spec.csi.volumeHandle, pv.metadata.name);
    assert.equal(pv.spec.capacity?.['storage'], '1Gi');
    assert.equal(pv.spec.claimRef?.uid, first.metadata?.uid);
    assert.equal(pv.spec.persistentVolumeReclaimPolicy, 'Delete');
    assert.equal(pv.status?.phase, 'Bound');
    assert.equal(first.status?.capacity?.['storage'], '1Gi');
    assert.ok((await stat(volumeDir(pv.metadata.name))).isDirectory());
    const hosts = await Promise.all([first, second].map(async (c) => (await core.readPersistentVolume({ name: c.spec?.volumeName ?? '' })).spec?.nodeAffinity?.required?.nodeSelectorTerms[0]?.matchExpressions?.[0]));
    assert.deepEqual(hosts.map((h) => [h?.key, h?.operator]), [['kubernetes.io/hostname', 'In'], ['kubernetes.io/hostname', 'In']]);
    assert.notDeepEqual(hosts[0]?.values, hosts[1]?.values, 'Immediate volumes go round robin over the nodes');
  });

  it('provisions a WaitForFirstConsumer claim only once a node is selected, on that node', async () => {
    await objects.create(claim('late', { storageClassName: WFFC_STORAGE_CLASS }));
    await waitFor(() => core.listNamespacedEvent({ namespace: NS, fieldSelector: 'involvedObject.name=late' }), (l) => l.items.some((e) => e.reason === 'WaitForFirstConsumer'));
    assert.equal((await core.readNamespacedPersistentVolumeClaim({ name: 'late', namespace: NS })).status?.phase, 'Pending');
    await core.patchNamespacedPersistentVolumeClaim({ name: 'late', namespace: NS, body: { metadata: { annotations: { 'volume.kubernetes.io/selected-node': 'node-3' } } } }, MERGE_PATCH);
    const late = await pvc('late', bound);
    const pv = await core.readPersistentVolume({ name: late.spec?.volumeName ?? '' });
    assert.deepEqual(pv.spec?.nodeAffinity?.required?.nodeSelectorTerms[0]?.matchExpressions?.[0]?.values, ['node-3']);
  });

  it('binds a WaitForFirstConsumer claim to a PV pre-bound to it before any consumer exists (Velero\'s restore hand-over)', async () => {
    await objects.create(claim('restored-src', { storageClassName: WFFC_STORAGE_CLASS }));
    await core.patchNamespacedPersistentVolumeClaim({ name: 'restored-src', namespace: NS, body: { metadata: { annotations: { 'volume.kubernetes.io/selected-node': 'node-2' } } } }, MERGE_PATCH);
    const pvName = (await pvc('restored-src', bound)).spec?.volumeName ?? '';
    await core.patchPersistentVolume({ name: pvName, body: { spec: { persistentVolumeReclaimPolicy: 'Retain' } } }, MERGE_PATCH);
    await core.deleteNamespacedPersistentVolumeClaim({ name: 'restored-src', namespace: NS });
    await waitFor(() => core.readPersistentVolume({ name: pvName }), (pv) => pv.status?.phase === 'Released');
    const selector = { matchLabels: { 'velero.io/dynamic-pv-restore': 'target' } };
    await objects.create(claim('target', { storageClassName: WFFC_STORAGE_CLASS, selector }));
    const body = { metadata: { labels: selector.matchLabels }, spec: { claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: NS, name: 'target', uid: null, resourceVersion: null } } };
    await core.patchPersistentVolume({ name: pvName, body }, MERGE_PATCH);
    const target = await pvc('target', bound);
    assert.equal(target.spec?.volumeName, pvName);
    assert.equal(target.metadata?.annotations?.['volume.kubernetes.io/selected-node'], undefined, 'no consumer was needed');
  });

  it('reclaims on claim deletion: Delete removes PV and directory, Retain keeps both (Released)', async () => {
    await objects.create({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'keep' }, provisioner: DRIVER_NAME, reclaimPolicy: 'Retain' });
    await objects.create(claim('temp'));
    await objects.create(claim('kept', { storageClassName: 'keep' }));
    const temp = await pvc('temp', bound);
    const kept = await pvc('kept', bound);
    const [tempPv = '', keptPv = ''] = [temp.spec?.volumeName, kept.spec?.volumeName];
    await writeFile(join(volumeDir(keptPv), 'precious'), 'data');
    await core.deleteNamespacedPersistentVolumeClaim({ name: 'temp', namespace: NS });
    await core.deleteNamespacedPersistentVolumeClaim({ name: 'kept', namespace: NS });
    await gone(() => core.readPersistentVolume({ name: tempPv }));
    await gone(() => stat(volumeDir(tempPv)));
    await waitFor(() => core.readPersistentVolume({ name: keptPv }), (pv) => pv.status?.phase === 'Released');
    assert.equal(await readFile(join(volumeDir(keptPv), 'precious'), 'utf8'), 'data');
  });

  it('binds static PVs: one pre-bound by volumeName, one matched by class and size', async () => {
    const pvManifest = (name: string, size: string): Manifest => ({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name },
      spec: { capacity: { storage: size }, accessModes: ['ReadWriteOnce'], storageClassName: 'manual', hostPath: { path: `/srv/${name}` } },
    });
    await objects.create(pvManifest('static-small', '1Gi'));
    await objects.create(pvManifest('static-big', '5Gi'));
    await waitFor(() => core.readPersistentVolume({ name: 'static-small' }), (pv) => pv.status?.phase === 'Available');
    await objects.create(claim('by-name', { storageClassName: 'manual', volumeName: 'static-big' }));
    await objects.create(claim('by-match', { storageClassName: 'manual', resources: { requests: { storage: '500Mi' } } }));
    assert.equal((await pvc('by-name', bound)).spec?.volumeName, 'static-big');
    assert.equal((await pvc('by-match', bound)).spec?.volumeName, 'static-small');
  });

  it('restores a snapshot into a new claim with exactly the snapshot-time content, written and read by pods', async () => {
    await objects.create(claim('source'));
    const source = await pvc('source', bound);
    const pvName = source.spec?.volumeName ?? '';
    await runPod('writer', 'source', `
      fs.mkdirSync(root+'/data/dir/nested',{recursive:true});
      fs.writeFileSync(root+'/data/a.txt','first version');
      fs.writeFileSync(root+'/data/dir/nested/blob.bin',Buffer.alloc(300000,3));
      fs.writeFileSync(root+'/data/gone-later','x');
      fs.chmodSync(root+'/data/a.txt',0o600);`);
    await symlink('dir/nested/blob.bin', join(volumeDir(pvName), 'link'));
    const atSnapshot = await tree(volumeDir(pvName));
    await objects.create({ apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshot', metadata: { name: 'snap', namespace: NS }, spec: { source: { persistentVolumeClaimName: 'source' } } });
    const vs = await snapshot('snap');
    const contentName = vs.status?.boundVolumeSnapshotContentName ?? '';
    assert.equal(contentName, `snapcontent-${vs.metadata?.uid ?? ''}`);
    assert.equal(vs.status?.restoreSize, '1Gi');
    assert.ok(vs.status.creationTime !== undefined);
    const vsc = await content(contentName);
    assert.equal(vsc.status?.snapshotHandle, contentName);
    assert.equal(vsc.status.readyToUse, true);
    assert.equal(vsc.status.restoreSize, 1024 ** 3);
    assert.equal(vsc.spec?.deletionPolicy, 'Delete');
    assert.equal(vsc.spec.source?.volumeHandle, pvName);

    await runPod('changer', 'source', `
      fs.writeFileSync(root+'/data/a.txt','second version, longer');
      fs.rmSync(root+'/data/gone-later');
      fs.writeFileSync(root+'/data/new-file','new');`);
    assert.notDeepEqual((await tree(volumeDir(pvName))).entries, atSnapshot.entries);

    await objects.create(claim('restored', { dataSource: { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'snap' } }));
    const restored = await pvc('restored', bound);
    assertSameTree(await tree(volumeDir(restored.spec?.volumeName ?? '')), atSnapshot);
    const seen = await runPod('reader', 'restored', `
      const h=require('crypto').createHash('sha256').update(fs.readFileSync(root+'/data/dir/nested/blob.bin')).digest('hex');
      fs.writeFileSync(root+'/dev/termination-log',JSON.stringify({a:fs.readFileSync(root+'/data/a.txt','utf8'),h,gone:fs.existsSync(root+'/data/gone-later'),added:fs.existsSync(root+'/data/new-file')}))`);
    assert.deepEqual(JSON.parse(seen), { a: 'first version', h: createHash('sha256').update(Buffer.alloc(300000, 3)).digest('hex'), gone: true, added: false });
  });

  it('clones a claim from another claim (dataSource PVC)', async () => {
    const source = await pvc('source', bound);
    await objects.create(claim('clone', { dataSource: { kind: 'PersistentVolumeClaim', name: 'source' } }));
    const clone = await pvc('clone', bound);
    assertSameTree(await tree(volumeDir(clone.spec?.volumeName ?? '')), await tree(volumeDir(source.spec?.volumeName ?? '')));
  });

  it("supports Velero's exposer sequence: retain and delete the snapshot, re-bind the handle pre-provisioned, restore, clean up", async () => {
    const source = await pvc('source', bound);
    const expected = await tree(volumeDir(source.spec?.volumeName ?? ''));
    await objects.create({ apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshot', metadata: { name: 'velero-snap', namespace: NS }, spec: { source: { persistentVolumeClaimName: 'source' }, volumeSnapshotClassName: SNAPSHOT_CLASS } });
    const original = await snapshot('velero-snap');
    const originalContent = original.status?.boundVolumeSnapshotContentName ?? '';
    const handle = (await content(originalContent)).status?.snapshotHandle ?? '';
    // RetainVSC, then EnsureDeleteVS and EnsureDeleteVSC, back to back as Velero does them.
    await custom.patchClusterCustomObject({ ...SNAP, plural: 'volumesnapshotcontents', name: originalContent, body: { spec: { deletionPolicy: 'Retain' } } }, MERGE_PATCH);
    await custom.deleteNamespacedCustomObject({ ...SNAP, plural: 'volumesnapshots', namespace: NS, name: 'velero-snap' });
    await custom.deleteClusterCustomObject({ ...SNAP, plural: 'volumesnapshotcontents', name: originalContent });
    const snapshotData = join(api.dir, 'snapshots', handle);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.ok((await stat(snapshotData)).isDirectory(), 'a retained content keeps its data');

    await custom.createClusterCustomObject({
      ...SNAP,
      plural: 'volumesnapshotcontents',
      body: {
        apiVersion: 'snapshot.storage.k8s.io/v1',
        kind: 'VolumeSnapshotContent',
        metadata: { name: 'du-1-vsc' },
        spec: { driver: DRIVER_NAME, deletionPolicy: 'Delete', source: { snapshotHandle: handle }, volumeSnapshotRef: { name: 'du-1', namespace: 'velero' }, volumeSnapshotClassName: SNAPSHOT_CLASS },
      },
    });
    await objects.create({ apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshot', metadata: { name: 'du-1', namespace: 'velero' }, spec: { source: { volumeSnapshotContentName: 'du-1-vsc' }, volumeSnapshotClassName: SNAPSHOT_CLASS } });
    const backupVs = await snapshot('du-1', 'velero');
    assert.equal(backupVs.status?.boundVolumeSnapshotContentName, 'du-1-vsc');
    assert.equal(backupVs.status.restoreSize, '1Gi');
    assert.equal((await content('du-1-vsc')).spec?.volumeSnapshotRef?.uid, backupVs.metadata?.uid);

    await objects.create(claim('du-1', { storageClassName: WFFC_STORAGE_CLASS, dataSource: { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'du-1' } }, 'velero'));
    await core.patchNamespacedPersistentVolumeClaim({ name: 'du-1', namespace: 'velero', body: { metadata: { annotations: { 'volume.kubernetes.io/selected-node': 'node-2' } } } }, MERGE_PATCH);
    const backupPvc = await pvc('du-1', bound, 'velero');
    assertSameTree(await tree(volumeDir(backupPvc.spec?.volumeName ?? '')), expected);

    // CleanUp: deleting the backup snapshot deletes its content (Delete) and the snapshot data with it.
    await custom.deleteNamespacedCustomObject({ ...SNAP, plural: 'volumesnapshots', namespace: 'velero', name: 'du-1' });
    await gone(() => content('du-1-vsc'));
    await gone(() => stat(snapshotData));
  });

  it('reports a snapshot of a missing claim in status.error and takes it once the claim exists', async () => {
    await objects.create({ apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshot', metadata: { name: 'early', namespace: NS }, spec: { source: { persistentVolumeClaimName: 'not-yet' } } });
    const failing = await waitFor(
      async () => (await custom.getNamespacedCustomObject({ ...SNAP, plural: 'volumesnapshots', namespace: NS, name: 'early' })) as VolumeSnapshot,
      (vs) => vs.status?.error?.message !== undefined,
    );
    assert.match(failing.status?.error?.message ?? '', /persistentvolumeclaim \\"not-yet\\" not found/);
    assert.equal(failing.status?.readyToUse, false);
    await objects.create(claim('not-yet'));
    await snapshot('early');
  });

  it('keeps a content and its data when the snapshot class says Retain', async () => {
    await custom.createClusterCustomObject({ ...SNAP, plural: 'volumesnapshotclasses', body: { apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshotClass', metadata: { name: 'retain' }, driver: DRIVER_NAME, deletionPolicy: 'Retain' } });
    await objects.create({ apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshot', metadata: { name: 'kept-snap', namespace: NS }, spec: { source: { persistentVolumeClaimName: 'source' }, volumeSnapshotClassName: 'retain' } });
    const vs = await snapshot('kept-snap');
    const contentName = vs.status?.boundVolumeSnapshotContentName ?? '';
    await custom.deleteNamespacedCustomObject({ ...SNAP, plural: 'volumesnapshots', namespace: NS, name: 'kept-snap' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal((await content(contentName)).spec?.deletionPolicy, 'Retain');
    assert.ok((await stat(join(api.dir, 'snapshots', contentName))).isDirectory());
  });
});
