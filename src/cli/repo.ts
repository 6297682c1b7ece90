/**
 * `ferry repo …`: the backup repository from the command line (init, backup, restore, snapshots, ls, check, prune,
 * stats, forget, key). The repository library is loaded only when a command runs, so `ferry --help` stays fast.
 */
import { readFileSync } from 'node:fs';
import type { Command} from 'commander';
import { Option } from 'commander';
import { FerryError, usageError } from '../util/errors.js';
import type { Repository } from '../repository/index.js';
import { formatBytes, formatCount, formatSeconds, printJson, progressSink } from './repo-output.js';
import type { OutputFormat } from './repo-output.js';

interface RepoOptions {
  repo?: string;
  s3Endpoint?: string;
  s3Region?: string;
  s3ForcePathStyle?: boolean;
  passwordFile?: string;
  output: OutputFormat;
}

const repoLibrary = () => import('../repository/index.js');

function readPassword(file: string | undefined, env: string, what: string): string {
  if (file !== undefined) {
    try {
      return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw usageError(`cannot read the ${what} file ${file}: ${(err as Error).message}`);
    }
  }
  const fromEnv = process.env[env];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  throw usageError(`no ${what}: set ${env} or pass --${what === 'password' ? 'password-file' : 'new-password-file'} FILE`);
}

async function openStore(options: RepoOptions) {
  const url = options.repo ?? process.env.FERRY_REPO;
  if (url === undefined || url === '') throw usageError('no repository: pass --repo URL or set FERRY_REPO', 'for example --repo file:///backups/repo');
  const { openStorage } = await import('../repository/storage/index.js');
  return openStorage(url, {
    ...(options.s3Endpoint === undefined ? {} : { endpoint: options.s3Endpoint }),
    ...(options.s3Region === undefined ? {} : { region: options.s3Region }),
    ...(options.s3ForcePathStyle === true ? { forcePathStyle: true } : {}),
  });
}

/** Opens the repository, runs `fn`, and closes the storage whatever happens. */
async function withRepository<T>(command: Command, fn: (repo: Repository, options: RepoOptions) => Promise<T>): Promise<T> {
  const options = command.optsWithGlobals<RepoOptions>();
  const password = readPassword(options.passwordFile, 'FERRY_REPO_PASSWORD', 'password');
  const storage = await openStore(options);
  try {
    // The key derivation runs on libuv's thread pool: the rest of the library compiles meanwhile.
    const opening = import('../repository/repository.js').then(({ Repository }) => Repository.open(storage, { password }));
    const [repo] = await Promise.all([opening, repoLibrary()]);
    return await fn(repo, options);
  } finally {
    await storage.close();
  }
}

/** Ctrl-C cancels the running operation cleanly (locks released, workers stopped). */
function interruptSignal(): AbortSignal {
  const controller = new AbortController();
  process.once('SIGINT', () => { controller.abort(); });
  process.once('SIGTERM', () => { controller.abort(); });
  return controller.signal;
}

function parseSize(text: string): number {
  const m = /^(\d+)\s*([kmg]i?)?b?$/i.exec(text.trim());
  if (!m) throw usageError(`invalid size ${JSON.stringify(text)}`, 'use bytes or a suffix: 512K, 1M, 8M');
  const unit = (m[2] ?? '').toLowerCase()[0];
  const scale = unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1;
  return Number(m[1]) * scale;
}

function parseTags(values: string[]): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq <= 0) throw usageError(`invalid tag ${JSON.stringify(value)}`, 'use --tag key=value');
    tags[value.slice(0, eq)] = value.slice(eq + 1);
  }
  return tags;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function positiveInt(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw usageError(`invalid number ${JSON.stringify(text)}: expected a positive integer`);
  return n;
}

export function registerRepo(program: Command): void {
  const repo = program
    .command('repo')
    .description('Work with a backup repository: create it, back up and restore directories, verify and prune it.')
    .option('--repo <url>', 'the repository: file:///path, a plain path, or s3://bucket/prefix (default: $FERRY_REPO)')
    .option('--s3-endpoint <url>', 'S3-compatible server, e.g. https://minio.example:9000 (credentials from the AWS_* variables)')
    .option('--s3-region <region>', 'S3 region (default: $AWS_REGION or us-east-1)')
    .option('--s3-force-path-style', 'address buckets as endpoint/bucket instead of bucket.endpoint')
    .option('--password-file <file>', 'read the repository password from a file (default: $FERRY_REPO_PASSWORD)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'));

  repo
    .command('init')
    .description('Create a new repository with a random master key wrapped by the password.')
    .option('--chunk-sizes <min,avg,max>', 'content-defined chunk sizes (avg a power of two)', '512K,1M,4M')
    .option('--compression-level <n>', 'zstd level, 1 (fastest) to 19', positiveInt, 1)
    .option('--scrypt-n <n>', 'scrypt cost of the password key (a power of two; lower only for tests)', positiveInt, 32768)
    .action(async (opts: { chunkSizes: string; compressionLevel: number; scryptN: number }, command: Command) => {
      const options = command.optsWithGlobals<RepoOptions>();
      const password = readPassword(options.passwordFile, 'FERRY_REPO_PASSWORD', 'password');
      const [minBytes, avgBytes, maxBytes] = opts.chunkSizes.split(',').map(parseSize);
      if (minBytes === undefined || avgBytes === undefined || maxBytes === undefined) throw usageError('--chunk-sizes needs three sizes: min,avg,max');
      const storage = await openStore(options);
      try {
        const { Repository } = await repoLibrary();
        const kdf = { N: opts.scryptN, r: 8, p: 1 };
        const created = await Repository.init(storage, { password, chunking: { minBytes, avgBytes, maxBytes }, compressionLevel: opts.compressionLevel, kdf });
        if (options.output === 'json') printJson({ type: 'result', id: created.config.id, location: storage.location, keyId: created.keyId });
        else process.stdout.write(`created repository ${created.config.id.slice(0, 8)} at ${storage.location}\n`);
      } finally {
        await storage.close();
      }
    });

  repo
    .command('backup <dir>')
    .description('Back up a directory into a new snapshot (incremental against the latest snapshot of the same path and tags).')
    .option('--parent <snapshot>', 'compare with this snapshot instead of the latest matching one')
    .option('--no-parent', 'read every file, comparing with no earlier snapshot')
    .option('--tag <key=value>', 'tag the snapshot (repeatable)', collect, [])
    .option('--workers <n>', 'worker threads (default: one per CPU)', positiveInt)
    .action(async (dir: string, opts: { parent?: string | false; tag: string[]; workers?: number }, command: Command) => {
      await withRepository(command, async (r, options) => {
        const { backupDirectory } = await repoLibrary();
        const progress = progressSink(options.output, 'backup');
        const warn = (message: string): void => {
          if (options.output === 'json') printJson({ type: 'warning', message });
          else process.stderr.write(`warning: ${message}\n`);
        };
        const result = await backupDirectory(r, dir, {
          tags: parseTags(opts.tag),
          signal: interruptSignal(),
          onWarning: warn,
          ...(typeof opts.parent === 'string' ? { parent: opts.parent } : {}),
          ...(opts.parent === false ? { noParent: true } : {}),
          ...(opts.workers === undefined ? {} : { workers: opts.workers }),
          ...(progress ? { onProgress: (p) => { progress.update(p); } } : {}),
        }).finally(() => progress?.stop());
        if (options.output === 'json') {
          printJson({ type: 'result', ...result });
          return;
        }
        process.stdout.write(
          `snapshot ${result.snapshotId.slice(0, 8)} saved: ${formatCount(result.files)} files, ${formatBytes(result.totalBytes)} ` +
            `(${formatBytes(result.incrementalBytes)} new, ${formatBytes(result.storedBytes)} stored after compression) in ${formatSeconds(result.durationMs)}\n`,
        );
      });
    });

  repo
    .command('restore <snapshot> <dir>')
    .description('Restore a snapshot (id, unique prefix, or "latest") into a directory, with ownership, modes and times.')
    .option('--workers <n>', 'worker threads (default: one per CPU)', positiveInt)
    .action(async (snapshot: string, dir: string, opts: { workers?: number }, command: Command) => {
      await withRepository(command, async (r, options) => {
        const { restoreSnapshot } = await repoLibrary();
        const progress = progressSink(options.output, 'restore');
        const result = await restoreSnapshot(r, snapshot, dir, {
          signal: interruptSignal(),
          onWarning: (message) => process.stderr.write(`warning: ${message}\n`),
          ...(opts.workers === undefined ? {} : { workers: opts.workers }),
          ...(progress ? { onProgress: (p) => { progress.update(p); } } : {}),
        }).finally(() => progress?.stop());
        if (options.output === 'json') printJson({ type: 'result', ...result });
        else {
          process.stdout.write(
            `snapshot ${result.snapshotId.slice(0, 8)} restored to ${dir}: ${formatCount(result.files)} files, ${formatBytes(result.totalBytes)} in ${formatSeconds(result.durationMs)}\n`,
          );
        }
      });
    });

  repo
    .command('snapshots')
    .description('List the snapshots, oldest first.')
    .action(async (_opts: unknown, command: Command) => {
      await withRepository(command, async (r, options) => {
        const { listSnapshots } = await repoLibrary();
        const snapshots = await listSnapshots(r);
        if (options.output === 'json') {
          printJson(snapshots);
          return;
        }
        for (const s of snapshots) {
          const tags = Object.entries(s.tags).map(([k, v]) => `${k}=${v}`).join(',');
          process.stdout.write(`${s.id.slice(0, 8)}  ${s.time}  ${s.hostname}  ${formatBytes(s.totalBytes).padStart(9)}  ${s.paths.join(' ')}${tags ? `  ${tags}` : ''}\n`);
        }
      });
    });

  repo
    .command('ls <snapshot>')
    .description('List the files of a snapshot.')
    .option('-l, --long', 'show type, mode, owner, size and time')
    .action(async (snapshot: string, opts: { long?: boolean }, command: Command) => {
      await withRepository(command, async (r, options) => {
        const { listTree } = await repoLibrary();
        await listTree(r, snapshot, ({ path, node }) => {
          if (options.output === 'json') printJson({ path, ...node });
          else if (opts.long === true) {
            const mtime = new Date(Number(BigInt(node.mtimeNs) / 1_000_000n)).toISOString();
            process.stdout.write(`${node.type.padEnd(7)} ${node.mode.toString(8).padStart(4, '0')} ${node.uid}:${node.gid} ${String(node.size).padStart(12)} ${mtime} ${path}\n`);
          } else process.stdout.write(`${path}\n`);
        });
      });
    });

  repo
    .command('check')
    .description('Verify the repository structure; with --read-data also decrypt and re-hash every blob.')
    .option('--read-data', 'read and verify all data (slow: reads the whole repository)')
    .action(async (opts: { readData?: boolean }, command: Command) => {
      await withRepository(command, async (r, options) => {
        const { checkRepository } = await repoLibrary();
        const result = await checkRepository(r, { readData: opts.readData === true });
        if (options.output === 'json') printJson({ type: 'result', ...result });
        else {
          for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
          for (const e of result.errors) process.stdout.write(`error: ${e}\n`);
          if (result.errors.length === 0) process.stdout.write(`no errors: ${formatCount(result.packs)} packs, ${formatCount(result.snapshots)} snapshots${opts.readData === true ? ', all data read' : ''}\n`);
        }
        if (result.errors.length > 0) {
          throw new FerryError('IntegrityMismatch', `check found ${result.errors.length} error(s) in ${r.storage.location}`, {
            hint: 'restore what you can; snapshots that use the named objects are damaged',
          });
        }
      });
    });

  repo
    .command('prune')
    .description('Delete data no snapshot uses (exclusive lock: refuses to run during a backup, and backups refuse to start while it runs).')
    .action(async (_opts: unknown, command: Command) => {
      await withRepository(command, async (r, options) => {
        const { pruneRepository } = await repoLibrary();
        const result = await pruneRepository(r, { onStep: (m) => (options.output === 'json' ? undefined : process.stderr.write(`${m}\n`)) });
        if (options.output === 'json') printJson({ type: 'result', ...result });
        else {
          process.stdout.write(
            `pruned: ${result.packsDeleted} packs deleted, ${result.packsRepacked} repacked, ${result.packsKept} kept, ${formatBytes(Math.max(0, result.bytesFreed))} freed\n`,
          );
        }
      });
    });

  repo
    .command('forget <snapshot...>')
    .description('Delete snapshots (their data goes with the next prune).')
    .action(async (snapshots: string[], _opts: unknown, command: Command) => {
      await withRepository(command, async (r, options) => {
        const { forgetSnapshot } = await repoLibrary();
        for (const s of snapshots) {
          const id = await forgetSnapshot(r, s);
          if (options.output === 'json') printJson({ type: 'forgotten', id });
          else process.stdout.write(`forgot snapshot ${id.slice(0, 8)}\n`);
        }
      });
    });

  repo
    .command('stats')
    .description('Show what the repository holds, and how much deduplication and compression save.')
    .action(async (_opts: unknown, command: Command) => {
      await withRepository(command, async (r, options) => {
        const { repositoryStats } = await repoLibrary();
        const s = await repositoryStats(r);
        if (options.output === 'json') {
          printJson({ type: 'result', ...s });
          return;
        }
        const ratio = s.storedBytes > 0 ? (s.uniqueBytes / s.storedBytes).toFixed(2) : '-';
        process.stdout.write(
          `snapshots:       ${formatCount(s.snapshots)} (${formatBytes(s.snapshotBytes)} of files)\n` +
            `unique data:     ${formatBytes(s.uniqueBytes)} in ${formatCount(s.dataBlobs)} chunks and ${formatCount(s.treeBlobs)} trees\n` +
            `stored:          ${formatBytes(s.packBytes)} in ${formatCount(s.packs)} packs (compression ratio ${ratio})\n`,
        );
      });
    });

  const key = repo.command('key').description('Manage the passwords (keys) that open the repository.');
  key
    .command('list')
    .description('List the keys.')
    .action(async (_opts: unknown, command: Command) => {
      await withRepository(command, async (r, options) => {
        const { listKeys } = await repoLibrary();
        const keys = await listKeys(r.storage);
        if (options.output === 'json') printJson(keys.map((k) => ({ ...k, current: k.id === r.keyId })));
        else for (const k of keys) process.stdout.write(`${k.id === r.keyId ? '*' : ' '} ${k.id.slice(0, 8)}  ${k.created}  ${k.hostname}\n`);
      });
    });
  key
    .command('add')
    .description('Add a password: the new key wraps the same master key.')
    .option('--new-password-file <file>', 'read the new password from a file (default: $FERRY_REPO_NEW_PASSWORD)')
    .action(async (opts: { newPasswordFile?: string }, command: Command) => {
      const newPassword = readPassword(opts.newPasswordFile, 'FERRY_REPO_NEW_PASSWORD', 'new password');
      await withRepository(command, async (r, options) => {
        const { addKey } = await repoLibrary();
        const id = await addKey(r, newPassword);
        if (options.output === 'json') printJson({ type: 'result', id });
        else process.stdout.write(`added key ${id.slice(0, 8)}\n`);
      });
    });
  key
    .command('remove <id>')
    .description('Remove a key (id or unique prefix); the key you opened the repository with cannot be removed.')
    .action(async (idOrPrefix: string, _opts: unknown, command: Command) => {
      await withRepository(command, async (r, options) => {
        const { removeKey } = await repoLibrary();
        const id = await removeKey(r, idOrPrefix);
        if (options.output === 'json') printJson({ type: 'result', id });
        else process.stdout.write(`removed key ${id.slice(0, 8)}\n`);
      });
    });
}
