/**
 * Volumes for the end-to-end tests: PVCs filled with files (written straight into the hostpath driver's directory,
 * as a workload would), restores of a DataUpload's snapshot from the repository compared byte for byte, and the
 * check that nothing the exposer made is left behind.
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openOrInitRepository, repositoryPassword, repositoryStorage } from '../../src/datamover/index.js';
import type { DataUpload } from '../../src/kube/crds.js';
import type { PersistentVolume, PersistentVolumeClaim, Pod } from '../../src/kube/models.js';
import { R } from '../../src/kube/resources.js';
import { restoreSnapshot } from '../../src/repository/index.js';
import { persistentVolumePath } from '../../src/localcluster/storage/paths.js';
import { createLogger } from '../../src/util/log.js';
import { eventually, NS, type E2e } from './harness.js';

export async function ensureNamespace(e2e: E2e, name: string): Promise<void> {
  if ((await e2e.client.find(R.namespaces, { name })) === undefined) {
    await e2e.client.create(R.namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
}

/** A StorageClass of the local hostpath driver. */
export async function storageClass(e2e: E2e, name: string, bindingMode: 'Immediate' | 'WaitForFirstConsumer' = 'Immediate'): Promise<void> {
  await e2e.client.create(R.storageClasses, undefined, {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name },
    provisioner: 'hostpath.csi.ferry.dev',
    reclaimPolicy: 'Delete',
    volumeBindingMode: bindingMode,
  });
}

export interface FilledVolume {
  namespace: string;
  pvc: string;
  /** The volume's directory on this machine. */
  dir: string;
}

/**
 * A PVC of the storage class, bound (WaitForFirstConsumer classes get a consumer pod pinned to `consumerNode`),
 * holding a few files of random content, a nested directory, an empty file and a symlink.
 */
export async function filledVolume(e2e: E2e, namespace: string, pvc: string, storageClassName: string, { consumerNode, bytes = 200_000 }: { consumerNode?: string; bytes?: number } = {}): Promise<FilledVolume> {
  await ensureNamespace(e2e, namespace);
  const claim: PersistentVolumeClaim = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: pvc, namespace },
    spec: { accessModes: ['ReadWriteOnce'], storageClassName, resources: { requests: { storage: '1Gi' } } },
  };
  await e2e.client.create(R.persistentVolumeClaims, namespace, claim);
  if (consumerNode !== undefined) {
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `${pvc}-app`, namespace },
      spec: {
        nodeSelector: { 'kubernetes.io/hostname': consumerNode },
        containers: [{ name: 'app', image: 'busybox', volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
        volumes: [{ name: 'data', persistentVolumeClaim: { claimName: pvc } }],
      },
    };
    await e2e.client.create(R.pods, namespace, pod);
  }
  const bound = await eventually(`PVC ${namespace}/${pvc} to be bound`, async () => {
    const current = await e2e.client.get<PersistentVolumeClaim>(R.persistentVolumeClaims, { namespace, name: pvc });
    return current.status?.phase === 'Bound' ? current : undefined;
  });
  const pv = await e2e.client.get<PersistentVolume>(R.persistentVolumes, { name: bound.spec?.volumeName });
  const dir = persistentVolumePath(e2e.cluster.api.dir, consumerNode ?? 'node-1', pv);
  if (dir === undefined) throw new Error(`PV ${pv.metadata?.name ?? ''} has no local directory`);
  await mkdir(join(dir, 'nested/deeper'), { recursive: true });
  await writeFile(join(dir, 'random.bin'), randomBytes(bytes));
  await writeFile(join(dir, 'nested/text.txt'), `${pvc} in ${namespace}\n`.repeat(1000));
  await writeFile(join(dir, 'nested/deeper/empty'), '');
  await symlink('nested/text.txt', join(dir, 'link'));
  return { namespace, pvc, dir };
}

/** Differences between two trees (names, types, contents, link targets); empty when identical. */
export async function treeDifferences(expected: string, actual: string, prefix = ''): Promise<string[]> {
  const [a, b] = [(await readdir(expected)).sort(), (await readdir(actual)).sort()];
  const diffs: string[] = [];
  if (JSON.stringify(a) !== JSON.stringify(b)) diffs.push(`${prefix || '.'}: entries ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`);
  for (const name of a.filter((n) => b.includes(n))) {
    const [pa, pb] = [join(expected, name), join(actual, name)];
    const [sa, sb] = [await lstat(pa), await lstat(pb)];
    const where = `${prefix}${name}`;
    if (sa.isDirectory() && sb.isDirectory()) diffs.push(...(await treeDifferences(pa, pb, `${where}/`)));
    else if (sa.isSymbolicLink() && sb.isSymbolicLink()) {
      if ((await readlink(pa)) !== (await readlink(pb))) diffs.push(`${where}: link target differs`);
    } else if (sa.isFile() && sb.isFile()) {
      if (!(await readFile(pa)).equals(await readFile(pb))) diffs.push(`${where}: content differs`);
    } else diffs.push(`${where}: type differs`);
  }
  return diffs;
}

/** Restores the DataUpload's snapshot straight from its repository and compares it with the volume. */
export async function restoredDifferences(e2e: E2e, du: DataUpload, volume: FilledVolume): Promise<string[]> {
  const snapshotId = du.status?.snapshotID;
  if (snapshotId === undefined) return [`${du.metadata.name ?? ''} has no snapshotID`];
  const { storage } = await repositoryStorage(e2e.client, NS, du.spec.backupStorageLocation, du.spec.sourceNamespace);
  const target = await mkdtemp(join(tmpdir(), 'ferry-e2e-restore-'));
  try {
    const repo = await openOrInitRepository({ storage, password: await repositoryPassword(e2e.client, NS), client: e2e.client, namespace: NS, holder: 'e2e', logger: createLogger({ level: 'silent' }) });
    await restoreSnapshot(repo, snapshotId, target);
    return await treeDifferences(volume.dir, target);
  } finally {
    await storage.close();
    await rm(target, { recursive: true, force: true });
  }
}

/** What the exposer made and left behind: pods, PVCs, snapshot clones, PVs of backup PVCs. Empty when clean. */
export async function leftovers(e2e: E2e): Promise<string[]> {
  const { client } = e2e;
  const found: string[] = [];
  for (const pod of (await client.list<Pod>(R.pods, NS, { labelSelector: 'velero.io/data-upload' })).items) found.push(`pod ${pod.metadata?.name ?? ''}`);
  for (const pvc of (await client.list<PersistentVolumeClaim>(R.persistentVolumeClaims, NS)).items) found.push(`pvc ${pvc.metadata?.name ?? ''}`);
  for (const vs of (await client.list<{ metadata: { name: string } }>(R.volumeSnapshots, NS)).items) found.push(`volumesnapshot ${vs.metadata.name}`);
  for (const vsc of (await client.list<{ metadata: { name: string } }>(R.volumeSnapshotContents, undefined, { labelSelector: 'velero.io/data-upload' })).items) found.push(`volumesnapshotcontent ${vsc.metadata.name}`);
  for (const pv of (await client.list<PersistentVolume>(R.persistentVolumes, undefined)).items) {
    if (pv.spec?.claimRef?.namespace === NS) found.push(`pv ${pv.metadata?.name ?? ''} (claim ${pv.spec.claimRef.name ?? ''})`);
  }
  for (const lease of (await client.list<{ metadata: { name: string } }>(R.leases, NS)).items) found.push(`lease ${lease.metadata.name}`);
  return found;
}

/**
 * Waits (PV reclaim is asynchronous) until `find` reports nothing left behind, and says what is when it gives up.
 * By default it looks for everything a backup's exposer makes.
 */
export async function expectNoLeftovers(
  e2e: E2e,
  { find = leftovers, what = 'everything the exposer made to be gone', timeoutMs = 20_000 }: { find?: (e2e: E2e) => Promise<string[]>; what?: string; timeoutMs?: number } = {},
): Promise<void> {
  let last: string[] = [];
  await eventually(
    what,
    async () => {
      last = await find(e2e);
      return last.length === 0 ? true : undefined;
    },
    timeoutMs,
    () => last.join(', '),
  );
}

/** The DataUpload of a backup, read from the API. */
export async function dataUploadOf(e2e: E2e, backup: string): Promise<DataUpload> {
  const { items } = await e2e.client.list<DataUpload>(R.dataUploads, NS, { labelSelector: `velero.io/backup-name=${backup}` });
  const [du] = items;
  if (items.length !== 1 || du === undefined) throw new Error(`backup ${backup} has ${items.length} DataUploads`);
  return du;
}
