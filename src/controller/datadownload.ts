import type { DataDownload } from '../kube/crds.js';
import { R } from '../kube/resources.js';
import { DATA_DOWNLOAD_LABEL } from '../kube/velero.js';
import type { Exposer } from '../exposer/index.js';
import { parseRestoreResult } from '../datamover/restore-result.js';
import type { MovementKind } from './kind.js';

/**
 * DataDownloads (`velero.io/v2alpha1`): data-mover pods labelled `velero.io/data-download=<name>`, exposed by the
 * restore exposer (which re-binds the restored volume to the target PVC before completion); completion writes the
 * final progress from the data mover's RestoreResult.
 */
export function dataDownloadKind(exposer: Exposer<DataDownload>): MovementKind<DataDownload> {
  return {
    resource: R.dataDownloads,
    noun: 'data download',
    exposing: 'the restore PVC is still being set up',
    podLabel: DATA_DOWNLOAD_LABEL,
    exposer,
    completed(_dd, terminationMessage) {
      const result = parseRestoreResult(terminationMessage);
      return { status: { progress: { totalBytes: result.totalBytes, bytesDone: result.totalBytes } }, bytes: result.totalBytes };
    },
  };
}
