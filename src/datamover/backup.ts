import { realpathSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { backupDirectory, listSnapshots, type BackupProgress } from '../repository/index.js';
import type { KubeClient } from '../kube/client.js';
import type { DataUpload } from '../kube/crds.js';
import { isNotFound } from '../kube/errors.js';
import { R, type ResourceType } from '../kube/resources.js';
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

/** A DataUpload or DataDownload, as far as its data mover is concerned. */
type Movement = Pick<DataUpload, 'metadata'> & { spec: { cancel?: boolean }; status?: { phase?: string } };

/** The failure a data mover reports when it stopped because it was canceled (`data path is canceled`). */
export function canceled(noun: string, name: string): FerryError {
  return new FerryError('Canceled', `${noun} ${name} was canceled: ${CANCELED_SUFFIX}`);
}

export function isCanceled(obj: Movement): boolean {
  return obj.spec.cancel === true || obj.metadata.deletionTimestamp !== undefined || obj.status?.phase === 'Canceling';
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

export interface WaitForStartOptions {
  client: KubeClient;
  namespace: string;
  resource: ResourceType;
  /** `data upload` / `data download`, for messages. */
  noun: string;
  name: string;
  pollIntervalMs?: number | undefined;
  logger: Logger;
}

/** Waits until the node-agent moved the object to InProgress; a canceled, ended or deleted one stops the data mover. */
export async function waitForStart<T extends Movement>({ client, namespace, resource, noun, name, pollIntervalMs = 500, logger }: WaitForStartOptions): Promise<T> {
  let announced = false;
  for (;;) {
    let obj: T;
    try {
      obj = await client.get<T>(resource, { namespace, name });
    } catch (err) {
      if (isNotFound(err)) throw new FerryError('NotFound', `${noun} ${namespace}/${name} is gone: ${CANCELED_SUFFIX}`, { cause: err });
      throw err;
    }
    if (isCanceled(obj)) throw canceled(noun, name);
    const phase = obj.status?.phase ?? 'New';
    if (phase === 'InProgress') return obj;
    if (phase === 'Completed' || phase === 'Failed' || phase === 'Canceled') {
      throw new FerryError('Canceled', `${noun} ${name} is already ${phase}: ${CANCELED_SUFFIX}`);
    }
    if (!announced) logger.info({ [resource.kind]: name, phase }, `waiting for the ${noun} to start`);
    announced = true;
    await sleep(pollIntervalMs);
  }
}

/**
 * Every `intervalMs` writes the latest progress to the object (or, unchanged, just reads it) and aborts `abort`
 * when the object is canceled or gone. `flush` writes once more now; `stop` ends the timer.
 */
export function reportProgress(options: { client: KubeClient; resource: ResourceType; ref: { namespace: string; name: string }; intervalMs: number; abort: AbortController; logger: Logger; latest: () => BackupProgress }) {
  const { client, resource, ref, abort, logger, latest } = options;
  let written = '';
  const flush = async (): Promise<void> => {
    const { totalBytes, bytesDone } = latest();
    const progress = { totalBytes, bytesDone };
    const key = JSON.stringify(progress);
    const current = key === written ? await client.find<Movement>(resource, ref) : await client.patch<Movement>(resource, ref, { status: { progress } });
    written = key;
    if (current === undefined || isCanceled(current)) abort.abort();
  };
  const timer = setInterval(() => {
    flush().catch((err: unknown) => {
      logger.warn({ err: errorMessage(err) }, 'cannot write progress');
    });
  }, options.intervalMs);
  return { flush, stop: () => { clearInterval(timer); } };
}

/**
 * The data path of one DataUpload, inside its data-mover pod: waits until the node-agent starts it (InProgress),
 * opens (or creates) the repository of the source namespace in the BackupStorageLocation, backs up the volume with
 * the previous snapshot of the same PVC as parent, writes progress to the DataUpload, and stops promptly when it is
 * canceled (a `Canceled` FerryError whose message ends in `data path is canceled`).
 */
export async function dataMoverBackup(options: DataMoverBackupOptions): Promise<BackupResult> {
  const { client, namespace, dataUpload, logger, progressIntervalMs = 1000 } = options;
  const du = await waitForStart<DataUpload>({ client, namespace, resource: R.dataUploads, noun: 'data upload', name: dataUpload, pollIntervalMs: options.pollIntervalMs, logger });
  const volumePath = options.volumePath ?? backupVolumePath(du.metadata.uid ?? '');
  const ref = { namespace, name: dataUpload };
  const { storage } = await repositoryStorage(client, namespace, du.spec.backupStorageLocation, du.spec.sourceNamespace);
  const abort = new AbortController();
  let latest: BackupProgress = { totalBytes: 0, bytesDone: 0, files: 0 };
  const progress = reportProgress({ client, resource: R.dataUploads, ref, intervalMs: progressIntervalMs, abort, logger, latest: () => latest });
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
    progress.stop();
    latest = { totalBytes: result.totalBytes, bytesDone: result.totalBytes, files: result.files };
    await progress.flush();
    logger.info({ dataUpload, snapshotId: result.snapshotId, totalBytes: result.totalBytes, incrementalBytes: result.incrementalBytes, durationMs: result.durationMs }, 'backup completed');
    return {
      snapshotID: result.snapshotId,
      emptySnapshot: result.emptySnapshot,
      source: { byPath: volumePath, volumeMode: 'Filesystem' },
      totalBytes: result.totalBytes,
      incrementalBytes: result.incrementalBytes,
    };
  } catch (err) {
    if (abort.signal.aborted) throw canceled('data upload', dataUpload);
    throw err;
  } finally {
    progress.stop();
    await storage.close();
  }
}
