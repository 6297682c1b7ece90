import { realpathSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { backupDirectory, listSnapshots, type BackupProgress } from '../repository/index.js';
import type { KubeClient } from '../kube/client.js';
import type { DataUpload } from '../kube/crds.js';
import { isNotFound } from '../kube/errors.js';
import { R } from '../kube/resources.js';
import { BACKUP_NAME_LABEL, backupVolumePath, CANCELED_SUFFIX } from '../kube/velero.js';
import { containerPath } from '../util/containerpaths.js';
import { FerryError, errorMessage } from '../util/errors.js';
import type { Logger } from '../util/log.js';
import { repositoryPassword, repositoryStorage } from './location.js';
import { openOrInitRepository } from './repository.js';
import type { BackupResult } from './result.js';

export interface DataMoverBackupOptions {
  client: KubeClient;
  /** The install namespace, where the DataUpload, its BackupStorageLocation and the Secrets are. */
  namespace: string;
  dataUpload: string;
  /** The backup volume's path inside the pod (mapped with `containerPath` before use); default `/<DataUpload uid>`. */
  volumePath?: string | undefined;
  /** `--resource-timeout`: how long to wait for another data mover to create the repository; default 10 min. */
  resourceTimeoutMs?: number;
  logger: Logger;
  /** How often the DataUpload is read while waiting to start; default 500 ms. */
  pollIntervalMs?: number;
  /** How often progress is written and cancellation checked while running; default 1 s. */
  progressIntervalMs?: number;
  /** Worker threads for the backup; by default one per CPU. */
  workers?: number;
}

/** Snapshot tags: the source PVC picks the parent of the next backup of the same volume (incremental). */
export const SOURCE_PVC_TAG = 'velero.io/source-pvc';
export const DATA_UPLOAD_TAG = 'velero.io/data-upload';

function canceled(name: string): FerryError {
  return new FerryError('Canceled', `data upload ${name} was canceled: ${CANCELED_SUFFIX}`);
}

function isCanceled(du: DataUpload): boolean {
  return du.spec.cancel === true || du.metadata.deletionTimestamp !== undefined || du.status?.phase === 'Canceling';
}

const LOCK_ATTEMPTS = 8;

/**
 * Backups of one source namespace share a repository and only take shared locks, so a lock conflict means a lock
 * that vanished while being read (the repository reads it as exclusive) or a prune in progress: both pass, so
 * the backup is tried again after a short random pause.
 */
async function retryLockConflicts<T>(run: () => Promise<T>, signal: AbortSignal, logger: Logger): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (signal.aborted || attempt >= LOCK_ATTEMPTS || !(err instanceof FerryError && err.code === 'Conflict' && err.message.includes('is locked'))) throw err;
      const pauseMs = 250 + Math.floor(Math.random() * 750 * attempt);
      logger.info({ attempt, pauseMs, reason: err.message }, 'repository busy, trying again');
      await sleep(pauseMs, undefined, { signal });
    }
  }
}

async function waitForStart({ client, namespace, dataUpload, pollIntervalMs = 500, logger }: DataMoverBackupOptions): Promise<DataUpload> {
  let announced = false;
  for (;;) {
    let du: DataUpload;
    try {
      du = await client.get<DataUpload>(R.dataUploads, { namespace, name: dataUpload });
    } catch (err) {
      if (isNotFound(err)) throw new FerryError('NotFound', `data upload ${namespace}/${dataUpload} is gone: ${CANCELED_SUFFIX}`, { cause: err });
      throw err;
    }
    if (isCanceled(du)) throw canceled(dataUpload);
    const phase = du.status?.phase ?? 'New';
    if (phase === 'InProgress') return du;
    if (phase === 'Completed' || phase === 'Failed' || phase === 'Canceled') {
      throw new FerryError('Canceled', `data upload ${dataUpload} is already ${phase}: ${CANCELED_SUFFIX}`);
    }
    if (!announced) logger.info({ dataUpload, phase }, 'waiting for the data upload to start');
    announced = true;
    await sleep(pollIntervalMs);
  }
}

/**
 * The data path of one DataUpload, inside its data-mover pod: waits until the node-agent starts it (InProgress),
 * opens (or creates) the repository of the source namespace in the BackupStorageLocation, backs up the volume with
 * the previous snapshot of the same PVC as parent, writes progress to the DataUpload, and stops promptly when it is
 * canceled (a `Canceled` FerryError whose message ends in `data path is canceled`).
 */
export async function dataMoverBackup(options: DataMoverBackupOptions): Promise<BackupResult> {
  const { client, namespace, dataUpload, logger, progressIntervalMs = 1000 } = options;
  const du = await waitForStart(options);
  const volumePath = options.volumePath ?? backupVolumePath(du.metadata.uid ?? '');
  const ref = { namespace, name: dataUpload };
  const { storage } = await repositoryStorage(client, namespace, du.spec.backupStorageLocation, du.spec.sourceNamespace);
  const abort = new AbortController();
  let latest: BackupProgress = { totalBytes: 0, bytesDone: 0, files: 0 };
  let written = '';
  const tick = async (): Promise<void> => {
    const progress = { totalBytes: latest.totalBytes, bytesDone: latest.bytesDone };
    const key = JSON.stringify(progress);
    const current = key === written ? await client.find<DataUpload>(R.dataUploads, ref) : await client.patch<DataUpload>(R.dataUploads, ref, { status: { progress } });
    written = key;
    if (current === undefined || isCanceled(current)) abort.abort();
  };
  const timer = setInterval(() => {
    tick().catch((err: unknown) => {
      logger.warn({ err: errorMessage(err) }, 'cannot write progress');
    });
  }, progressIntervalMs);
  try {
    const repo = await openOrInitRepository({
      storage,
      password: await repositoryPassword(client, namespace),
      client,
      namespace,
      holder: dataUpload,
      logger,
      signal: abort.signal,
      ...(options.resourceTimeoutMs === undefined ? {} : { timeoutMs: options.resourceTimeoutMs }),
    });
    const pvcTag = `${du.spec.sourceNamespace}/${du.spec.sourcePVC}`;
    const parent = (await listSnapshots(repo)).filter((s) => s.tags[SOURCE_PVC_TAG] === pvcTag).at(-1);
    const tags: Record<string, string> = { [SOURCE_PVC_TAG]: pvcTag, [DATA_UPLOAD_TAG]: dataUpload };
    const backupName = du.metadata.labels?.[BACKUP_NAME_LABEL];
    if (backupName !== undefined) tags[BACKUP_NAME_LABEL] = backupName;
    logger.info({ dataUpload, repository: storage.location, parent: parent?.id }, 'backing up the volume');
    const result = await retryLockConflicts(
      () =>
        backupDirectory(repo, realpathSync(containerPath(volumePath)), {
          ...(parent === undefined ? { noParent: true } : { parent: parent.id }),
          tags,
          signal: abort.signal,
          ...(options.workers === undefined ? {} : { workers: options.workers }),
          onProgress: (p) => {
            latest = p;
          },
          onWarning: (message) => {
            logger.warn({ dataUpload }, message);
          },
        }),
      abort.signal,
      logger,
    );
    clearInterval(timer);
    latest = { totalBytes: result.totalBytes, bytesDone: result.totalBytes, files: result.files };
    await tick();
    logger.info({ dataUpload, snapshotId: result.snapshotId, totalBytes: result.totalBytes, incrementalBytes: result.incrementalBytes, durationMs: result.durationMs }, 'backup completed');
    return {
      snapshotID: result.snapshotId,
      emptySnapshot: result.emptySnapshot,
      source: { byPath: volumePath, volumeMode: 'Filesystem' },
      totalBytes: result.totalBytes,
      incrementalBytes: result.incrementalBytes,
    };
  } catch (err) {
    if (abort.signal.aborted) throw canceled(dataUpload);
    throw err;
  } finally {
    clearInterval(timer);
    await storage.close();
  }
}
