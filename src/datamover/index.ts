/**
 * @module datamover
 * The process inside a data-mover pod (`ferry data-mover backup` / `restore`). Nouns: the **data path** (one volume moved
 * between the pod's mount and the repository); the **repository** of a source namespace in a BackupStorageLocation,
 * opened or created under a Lease; **progress** written to the DataUpload; the **result** (Velero's BackupResult)
 * written to the termination log, which the node-agent turns into the DataUpload's final status.
 */
export { dataMoverBackup, SOURCE_PVC_TAG, DATA_UPLOAD_TAG, type DataMoverBackupOptions } from './backup.js';
export { parseBackupResult, type BackupResult } from './result.js';
export { dataMoverRestore, type DataMoverRestoreOptions } from './restore.js';
export { parseRestoreResult, type RestoreResult } from './restore-result.js';
export { writeTerminationMessage, TERMINATION_LOG } from './termination.js';
export { openOrInitRepository, type OpenRepositoryOptions } from './repository.js';
export { repositoryPassword, repositoryStorage } from './location.js';
