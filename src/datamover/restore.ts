import { mkdirSync } from 'node:fs';
import { Repository, restoreSnapshot, type RestoreProgress } from '../repository/index.js';
import type { KubeClient } from '../kube/client.js';
import type { DataDownload } from '../kube/crds.js';
import { R } from '../kube/resources.js';
import { backupVolumePath } from '../kube/velero.js';
import { containerPath } from '../util/containerpaths.js';
import type { Logger } from '../util/log.js';
import { canceled, reportProgress, waitForStart } from './backup.js';
import { repositoryPassword, repositoryStorage } from './location.js';
import type { RestoreResult } from './restore-result.js';

export interface DataMoverRestoreOptions {
  client: KubeClient;
  /** The install namespace, where the DataDownload, its BackupStorageLocation and the Secrets are. */
  namespace: string;
  dataDownload: string;
  /** The restore volume's path inside the pod (mapped with `containerPath` before use); default `/<DataDownload uid>`. */
  volumePath?: string | undefined;
  logger: Logger;
  pollIntervalMs?: number;
  progressIntervalMs?: number;
  workers?: number;
}

/**
 * The data path of one DataDownload, inside its data-mover pod: waits until the node-agent starts it (InProgress),
 * opens the repository of the source namespace in the BackupStorageLocation, restores `spec.snapshotID` into the
 * mounted volume, writes progress to the DataDownload, and stops with `data path is canceled` when canceled.
 */
export async function dataMoverRestore(options: DataMoverRestoreOptions): Promise<RestoreResult> {
  const { client, namespace, dataDownload, logger, progressIntervalMs = 1000 } = options;
  const dd = await waitForStart<DataDownload>({ client, namespace, resource: R.dataDownloads, noun: 'data download', name: dataDownload, pollIntervalMs: options.pollIntervalMs, logger });
  const volumePath = options.volumePath ?? backupVolumePath(dd.metadata.uid ?? '');
  const { storage } = await repositoryStorage(client, namespace, dd.spec.backupStorageLocation, dd.spec.sourceNamespace);
  const abort = new AbortController();
  let latest: RestoreProgress = { totalBytes: dd.spec.snapshotSize ?? 0, bytesDone: 0, files: 0 };
  const progress = reportProgress({ client, resource: R.dataDownloads, ref: { namespace, name: dataDownload }, intervalMs: progressIntervalMs, abort, logger, latest: () => latest });
  try {
    const repo = await Repository.open(storage, { password: await repositoryPassword(client, namespace) });
    const target = containerPath(volumePath);
    mkdirSync(target, { recursive: true });
    logger.info({ dataDownload, repository: storage.location, snapshot: dd.spec.snapshotID }, 'restoring the volume');
    const result = await restoreSnapshot(repo, dd.spec.snapshotID, target, {
      signal: abort.signal,
      ...(options.workers === undefined ? {} : { workers: options.workers }),
      onProgress: (p) => {
        latest = p;
      },
      onWarning: (message) => {
        logger.warn({ dataDownload }, message);
      },
    });
    progress.stop();
    latest = { totalBytes: result.totalBytes, bytesDone: result.totalBytes, files: result.files };
    await progress.flush();
    logger.info({ dataDownload, totalBytes: result.totalBytes, files: result.files, durationMs: result.durationMs }, 'restore completed');
    return { snapshotID: result.snapshotId, targetPath: volumePath, totalBytes: result.totalBytes, files: result.files };
  } catch (err) {
    if (abort.signal.aborted) throw canceled('data download', dataDownload);
    throw err;
  } finally {
    progress.stop();
    await storage.close();
  }
}
