/**
 * @module repository
 * Ferry's backup repository. Nouns:
 * - **storage**: a blob store of immutable objects (filesystem or S3), see `./storage`.
 * - **repository**: a storage with a `config`, `keys/` (the master key wrapped per password), `data/` (packs),
 *   `index/`, `snapshots/` and `locks/`; opened with a password into a `Repository`.
 * - **chunk**: a content-defined piece of a file (FastCDC); **blob**: a chunk or a tree, compressed (zstd) and sealed
 *   (AES-256-GCM) under its id (HMAC-SHA256 of the plaintext); **pack**: many blobs plus a header listing them.
 * - **tree**: one directory's entries and metadata; **snapshot**: a manifest naming a root tree.
 * The format is described in docs/repository-format.md.
 */
export { Repository, FORMAT_VERSION } from './repository.js';
export type { InitOptions, RepositoryConfig } from './repository.js';
export { backupDirectory } from './backup.js';
export type { BackupOptions, BackupProgress, BackupResult } from './backup.js';
export { restoreSnapshot } from './restore.js';
export type { RestoreOptions, RestoreProgress, RestoreResult } from './restore.js';
export { listSnapshots, findSnapshot, forgetSnapshot } from './snapshot.js';
export type { Snapshot, SnapshotInfo, SnapshotSummary } from './snapshot.js';
export { checkRepository } from './check.js';
export type { CheckOptions, CheckResult } from './check.js';
export { pruneRepository } from './prune.js';
export type { PruneResult } from './prune.js';
export { repositoryStats } from './stats.js';
export type { RepositoryStats } from './stats.js';
export { addKey, listKeys, removeKey } from './keys.js';
export type { KeyInfo } from './keys.js';
export { listTree } from './ls.js';
export type { ListedNode } from './ls.js';
export { DEFAULT_CHUNKER } from './chunker.js';
export type { ChunkerParams } from './chunker.js';
export type { ScryptParams } from './crypto.js';
export type { TreeNode } from './tree.js';
