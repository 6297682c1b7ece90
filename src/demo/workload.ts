/**
 * The demo's workload: namespace `demo`, PVC `data` of the local cluster's default storage class filled with
 * generated data, and pod `app` using it on node-2 — the node that runs critical workloads, where the seed's config
 * keeps data movement away.
 */
import type { KubeClient } from '../kube/client.js';
import type { Namespace, PersistentVolume, PersistentVolumeClaim, Pod } from '../kube/models.js';
import { R } from '../kube/resources.js';
import { pollUntil } from '../kube/wait.js';
import { createIfAbsent } from '../install/apply.js';
import { STORAGE_CLASS } from '../localcluster/storage/classes.js';
import { persistentVolumePath } from '../localcluster/storage/paths.js';
import { formatBytes } from '../cli/repo-output.js';
import { checksumTree, generateData, type Checksums } from './data.js';

const WORKLOAD_NAMESPACE = 'demo';
const PVC_NAME = 'data';
const POD_NAME = 'app';
const WORKLOAD_NODE = 'node-2';

export interface Workload {
  namespace: string;
  pvc: string;
  storageClass: string;
  /** The checksum list taken before the backup. */
  checksums: Checksums;
  bytes: number;
  files: number;
}

const WAIT_MS = 60_000;

function appPod(): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: POD_NAME, namespace: WORKLOAD_NAMESPACE, labels: { app: POD_NAME } },
    spec: {
      nodeSelector: { 'kubernetes.io/hostname': WORKLOAD_NODE },
      containers: [{ name: POD_NAME, image: 'busybox', command: ['sleep', 'infinity'], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: PVC_NAME } }],
    },
  };
}

/** Starts pod `app` on the PVC and waits until it runs. */
export async function startApp(kube: KubeClient, signal: AbortSignal): Promise<Pod> {
  await kube.create(R.pods, WORKLOAD_NAMESPACE, appPod());
  let phase = 'not created';
  return pollUntil(
    async () => {
      const pod = await kube.get<Pod>(R.pods, { namespace: WORKLOAD_NAMESPACE, name: POD_NAME });
      phase = pod.status?.phase ?? 'Pending';
      return phase === 'Running' ? pod : undefined;
    },
    { timeoutMs: WAIT_MS, intervalMs: 250, signal, what: `pod ${WORKLOAD_NAMESPACE}/${POD_NAME} to run`, lastState: () => phase },
  );
}

/** The directory of a bound PVC's volume on this machine (the hostpath driver keeps each volume in one). */
export async function volumeDir(kube: KubeClient, clusterDir: string, namespace: string, pvc: string, signal: AbortSignal): Promise<string> {
  let phase = 'not found';
  const claim = await pollUntil(
    async () => {
      const current = await kube.find<PersistentVolumeClaim>(R.persistentVolumeClaims, { namespace, name: pvc });
      phase = current?.status?.phase ?? 'not found';
      return phase === 'Bound' ? current : undefined;
    },
    { timeoutMs: WAIT_MS, intervalMs: 250, signal, what: `PVC ${namespace}/${pvc} to be bound`, lastState: () => phase },
  );
  const pv = await kube.get<PersistentVolume>(R.persistentVolumes, { name: claim.spec?.volumeName });
  const dir = persistentVolumePath(clusterDir, WORKLOAD_NODE, pv);
  if (dir === undefined) throw new Error(`PV ${pv.metadata?.name ?? ''} has no directory on this machine`);
  return dir;
}

export async function createWorkload(kube: KubeClient, clusterDir: string, bytes: number, out: (line: string) => void, signal: AbortSignal): Promise<Workload> {
  const namespace: Namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: WORKLOAD_NAMESPACE } };
  await createIfAbsent(kube, R.namespaces, namespace);
  const gib = Math.max(1, Math.ceil((bytes * 1.5) / 2 ** 30));
  await kube.create<PersistentVolumeClaim>(R.persistentVolumeClaims, WORKLOAD_NAMESPACE, {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: PVC_NAME, namespace: WORKLOAD_NAMESPACE },
    spec: { accessModes: ['ReadWriteOnce'], storageClassName: STORAGE_CLASS, resources: { requests: { storage: `${gib}Gi` } } },
  });
  const dir = await volumeDir(kube, clusterDir, WORKLOAD_NAMESPACE, PVC_NAME, signal);
  const pod = await startApp(kube, signal);
  out(`    PVC ${WORKLOAD_NAMESPACE}/${PVC_NAME} (storage class ${STORAGE_CLASS}) is bound; pod ${WORKLOAD_NAMESPACE}/${POD_NAME} runs on ${pod.spec?.nodeName ?? '?'}`);
  const started = Date.now();
  await generateData(dir, bytes);
  const { checksums, bytes: total, files } = await checksumTree(dir);
  out(`    wrote ${formatBytes(total)} in ${files} files (log text, random media, copies of media, config files, a symlink) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  out(`    took the checksum list of every file (sha256) to compare the restore with`);
  return { namespace: WORKLOAD_NAMESPACE, pvc: PVC_NAME, storageClass: STORAGE_CLASS, checksums, bytes: total, files };
}

export async function deleteWorkload(kube: KubeClient, workload: Workload, out: (line: string) => void, signal: AbortSignal): Promise<void> {
  const claim = await kube.get<PersistentVolumeClaim>(R.persistentVolumeClaims, { namespace: workload.namespace, name: workload.pvc });
  const volume = claim.spec?.volumeName ?? '';
  await kube.delete(R.pods, { namespace: workload.namespace, name: POD_NAME }, { gracePeriodSeconds: 0 });
  await kube.delete(R.persistentVolumeClaims, { namespace: workload.namespace, name: workload.pvc });
  await pollUntil(
    async () => ((await kube.find(R.persistentVolumes, { name: volume })) === undefined && (await kube.find(R.pods, { namespace: workload.namespace, name: POD_NAME })) === undefined ? true : undefined),
    { timeoutMs: WAIT_MS, intervalMs: 250, signal, what: `pod ${workload.namespace}/${POD_NAME}, PVC ${workload.namespace}/${workload.pvc} and PV ${volume} to be gone` },
  );
  out(`    pod, PVC and PV ${volume} (reclaim policy Delete) are gone, and the volume's data with them`);
}
