/**
 * Entry point of `repository/storage` (nouns in `types.ts`): callers open a store with `openStorage(url)` or,
 * inside a data-mover pod, `repositoryStorageFor(bsl, credentials, namespace)`; docs/storage.md has the details.
 * Nothing here loads the AWS SDK until an S3 store is opened (`openS3Storage` lives in `./s3.js` for that reason).
 */
export { parseAwsCredentialsFile, repositoryStorageFor, s3OptionsFromBackupStorageLocation } from './bsl.js';
export type { BackupStorageLocationLike } from './bsl.js';
export { createFileStorage } from './fs.js';
export type { FileStorage } from './fs.js';
export { openStorage, parseS3Url } from './open.js';
export type { OpenStorageOptions } from './open.js';
export type { RetryPolicy } from './retry.js';
export type { ConditionalWrites, OpenS3Options } from './s3.js';
export type { S3Credentials } from './s3client.js';
export { StorageError } from './types.js';
export type { ObjectInfo, PutOptions, Storage, StorageErrorCode } from './types.js';
