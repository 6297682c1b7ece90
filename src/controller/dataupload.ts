import type { DataUpload } from '../kube/crds.js';
import { R } from '../kube/resources.js';
import { DATA_UPLOAD_LABEL } from '../kube/velero.js';
import type { Exposer } from '../exposer/index.js';
import { parseBackupResult } from '../datamover/result.js';
import type { MovementKind } from './kind.js';

/** Velero's message for a backup of an empty volume (sic). */
export const EMPTY_VOLUME_MESSAGE = 'volume was empty so no data was upload';

/**
 * DataUploads (`velero.io/v2alpha1`): data-mover pods labelled `velero.io/data-upload=<name>`, exposed by the CSI
 * snapshot exposer; completion maps the data mover's BackupResult onto `snapshotID`, `path`, `incrementalBytes` and
 * final progress, as Velero's `OnDataUploadCompleted` does.
 */
export function dataUploadKind(exposer: Exposer<DataUpload>): MovementKind<DataUpload> {
  return {
    resource: R.dataUploads,
    noun: 'data upload',
    exposing: 'the snapshot is still being exposed',
    podLabel: DATA_UPLOAD_LABEL,
    exposer,
    completed(_du, terminationMessage) {
      const result = parseBackupResult(terminationMessage);
      return {
        status: {
          snapshotID: result.snapshotID,
          path: result.source.byPath,
          incrementalBytes: result.incrementalBytes,
          progress: { totalBytes: result.totalBytes, bytesDone: result.totalBytes },
          ...(result.emptySnapshot ? { message: EMPTY_VOLUME_MESSAGE } : {}),
        },
        bytes: result.totalBytes,
      };
    },
  };
}
