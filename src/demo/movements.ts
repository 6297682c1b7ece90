/**
 * The backup and the restore of the demo's PVC, each preceded by where its data-mover pod may run and why, and
 * followed by where it ran: what `ferry affinity explain`, `ferry backup create --wait` and `ferry restore create
 * --from-backup --wait` show, through the same library calls.
 */
import { followBackup, followWithProgress, formatResult } from '../cli/backup-output.js';
import { formatRestoreResult } from '../cli/restore-output.js';
import { repositoryPassword, repositoryStorage } from '../datamover/index.js';
import { requestBackup } from '../datamover/request.js';
import { itemsFromBackup, requestRestore } from '../datamover/restore-request.js';
import type { KubeClient } from '../kube/client.js';
import type { DataDownload } from '../kube/crds.js';
import { R } from '../kube/resources.js';
import { Repository, repositoryStats } from '../repository/index.js';
import { FerryError } from '../util/errors.js';
import { INSTALL_NAMESPACE } from './config.js';
import { checksumDifferences, checksumTree } from './data.js';
import { explainForClass } from './explain.js';
import { indent } from './steps.js';
import type { MovementFigures } from './summary.js';
import { startApp, volumeDir, type Workload } from './workload.js';

const BACKUP_NAME = 'demo-backup';
const RESTORE_NAME = 'demo-restore';

export interface Movement {
  name: string;
  figures: MovementFigures;
}

interface MovementContext {
  kube: KubeClient;
  workload: Workload;
  /** DataUpload/DataDownload name → node its data-mover pod was bound to. */
  movers: ReadonlyMap<string, string>;
  out: (line: string) => void;
  signal: AbortSignal;
  /** A progress bar on a terminal; off with -v, whose log lines would break into it. */
  bar: boolean;
}

/**
 * The nodes the data-mover pod may run on, shown in full (the explain output) for the backup; the restore's target
 * PVC has the same storage class, so the same entry applies and a line recalls it.
 */
async function showEligible(ctx: MovementContext, what: 'backup' | 'restore'): Promise<string[]> {
  const { storageClass } = ctx.workload;
  const { text, eligible } = await explainForClass(ctx.kube, INSTALL_NAMESPACE, storageClass);
  if (what === 'backup') {
    ctx.out(`    where may the data-mover pod run? \`ferry affinity explain --storage-class ${storageClass}\` says:`);
    ctx.out(indent(text, 8));
  } else {
    ctx.out(`    the target PVC has storage class ${storageClass} too: the same loadAffinity entry applies, eligible: ${eligible.join(', ') || 'no node'}`);
  }
  if (eligible.length === 0) throw new FerryError('Unavailable', 'no node is eligible for the data-mover pod', { hint: `ferry affinity explain --storage-class ${storageClass}` });
  return eligible;
}

/** The node the pod ran on, checked against the eligible nodes and what the object's status says. */
function nodeUsed(ctx: MovementContext, name: string, statusNode: string | undefined, eligible: readonly string[]): string {
  const node = ctx.movers.get(name) ?? statusNode ?? '<unknown>';
  if (!eligible.includes(node)) throw new FerryError('Internal', `the data-mover pod of ${name} ran on ${node}, which is not eligible (${eligible.join(', ')})`);
  ctx.out(`    the data-mover pod ${INSTALL_NAMESPACE}/${name} ran on ${node}: eligible, as explained above`);
  return node;
}

/** Logical bytes per unique byte, and unique bytes per stored byte, of the workload namespace's repository. */
async function repositoryRatios(kube: KubeClient, sourceNamespace: string): Promise<{ dedup: number; compression: number }> {
  const { storage } = await repositoryStorage(kube, INSTALL_NAMESPACE, 'default', sourceNamespace);
  const repo = await Repository.open(storage, { password: await repositoryPassword(kube, INSTALL_NAMESPACE) });
  try {
    const stats = await repositoryStats(repo);
    return { dedup: stats.snapshotBytes / stats.uniqueBytes, compression: stats.uniqueBytes / stats.storedBytes };
  } finally {
    await repo.close();
  }
}

export async function backUp(ctx: MovementContext): Promise<Movement> {
  const { kube, workload, out, signal } = ctx;
  const eligible = await showEligible(ctx, 'backup');
  const createdAt = Date.now();
  const { dataUpload, volumeSnapshot } = await requestBackup(kube, { name: BACKUP_NAME, namespace: INSTALL_NAMESPACE, pvcNamespace: workload.namespace, pvc: workload.pvc, storageLocation: 'default' });
  const name = dataUpload.metadata.name ?? '';
  out(`    VolumeSnapshot ${workload.namespace}/${volumeSnapshot.metadata.name ?? ''} and DataUpload ${INSTALL_NAMESPACE}/${name} created`);
  const followed = await followBackup(kube, {
    backup: BACKUP_NAME,
    namespace: INSTALL_NAMESPACE,
    dataUpload: name,
    volumeSnapshot: { namespace: workload.namespace, name: volumeSnapshot.metadata.name ?? '' },
    startedAt: createdAt,
    signal,
    bar: ctx.bar,
  });
  const status = followed.final.status ?? {};
  out(`    ${formatResult(BACKUP_NAME, followed.final).trimEnd()}`);
  const node = nodeUsed(ctx, name, status.node, eligible);
  const ratios = await repositoryRatios(kube, workload.namespace);
  return {
    name: BACKUP_NAME,
    figures: { what: 'backup', eligible, node, bytes: status.progress?.totalBytes ?? 0, totalMs: followed.totalMs, movingMs: followed.movingMs, dedupRatio: ratios.dedup, compressionRatio: ratios.compression },
  };
}

export async function restore(ctx: MovementContext & { backupName: string; clusterDir: string }): Promise<Movement> {
  const { kube, workload, out, signal } = ctx;
  const eligible = await showEligible(ctx, 'restore');
  const createdAt = Date.now();
  const items = await itemsFromBackup(kube, INSTALL_NAMESPACE, ctx.backupName, new Map());
  const [dd] = await requestRestore(kube, { name: RESTORE_NAME, namespace: INSTALL_NAMESPACE, items });
  if (dd === undefined) throw new FerryError('Internal', `backup ${ctx.backupName} has no volume to restore`);
  const name = dd.metadata.name ?? '';
  out(`    PVC ${workload.namespace}/${workload.pvc} and DataDownload ${INSTALL_NAMESPACE}/${name} created`);
  const followed = await followWithProgress<DataDownload>(kube, R.dataDownloads, { namespace: INSTALL_NAMESPACE, name, startedAt: createdAt, signal, bar: ctx.bar });
  const status = followed.final.status ?? {};
  if (status.phase !== 'Completed') throw new FerryError('Internal', `DataDownload ${name} ${(status.phase ?? '').toLowerCase()}: ${status.message ?? 'no message'}`, { hint: `ferry restore describe ${RESTORE_NAME}` });
  out(`    ${formatRestoreResult(followed.final).trimEnd()}`);
  const node = nodeUsed(ctx, name, status.node, eligible);
  const dir = await volumeDir(kube, ctx.clusterDir, workload.namespace, workload.pvc, signal);
  const restored = await checksumTree(dir);
  const differences = checksumDifferences(workload.checksums, restored.checksums);
  if (differences.length > 0) {
    throw new FerryError('IntegrityMismatch', `the restored volume differs from the backed-up one in ${differences.length} entries: ${differences.slice(0, 5).join('; ')}`);
  }
  out(`    verified: all ${workload.checksums.size} entries (${restored.files} files, ${restored.bytes} bytes) match the checksum list taken before the backup`);
  const pod = await startApp(kube, signal);
  out(`    pod ${workload.namespace}/${pod.metadata?.name ?? ''} runs again on ${pod.spec?.nodeName ?? '?'} with the restored PVC`);
  return { name: RESTORE_NAME, figures: { what: 'restore', eligible, node, bytes: status.progress?.totalBytes ?? restored.bytes, totalMs: followed.totalMs, movingMs: followed.movingMs } };
}
