/**
 * `ferry data-mover backup` / `restore`: what runs inside a data-mover pod. It writes its result (or its failure) to the
 * termination log, where the node-agent reads it, and exits 0 or 1.
 */
import { Option, type Command } from 'commander';
import { usageError } from '../util/errors.js';

interface DataMoverOptions {
  dataUpload?: string;
  dataDownload?: string;
  volumePath?: string;
  volumeMode: string;
  resourceTimeout: string;
  namespace?: string;
  kubeconfig?: string;
  logLevel: string;
  logFormat?: 'json' | 'text';
}

async function run(direction: 'backup' | 'restore', options: DataMoverOptions): Promise<void> {
  if (options.volumeMode !== 'Filesystem') throw usageError(`--volume-mode ${options.volumeMode} is not supported: Ferry moves Filesystem volumes`);
  const [{ dataMoverBackup, dataMoverRestore, writeTerminationMessage }, { durationFlag }, { createKubeClient }, { podNamespace }, { createLogger }, { errorMessage }] = await Promise.all([
    import('../datamover/index.js'),
    import('../kube/duration.js'),
    import('../kube/client.js'),
    import('../kube/namespace.js'),
    import('../util/log.js'),
    import('../util/errors.js'),
  ]);
  const logger = createLogger({ level: options.logLevel, ...(options.logFormat === undefined ? {} : { format: options.logFormat }) });
  const resourceTimeoutMs = durationFlag('--resource-timeout', options.resourceTimeout);
  const client = createKubeClient({ kubeconfig: options.kubeconfig });
  const common = { client, namespace: podNamespace(options.namespace), volumePath: options.volumePath, logger };
  try {
    const result =
      direction === 'backup'
        ? await dataMoverBackup({ ...common, dataUpload: options.dataUpload ?? '', resourceTimeoutMs })
        : await dataMoverRestore({ ...common, dataDownload: options.dataDownload ?? '' });
    const text = JSON.stringify(result);
    writeTerminationMessage(text);
    process.stdout.write(`${text}\n`);
  } catch (err) {
    writeTerminationMessage(errorMessage(err));
    throw err;
  } finally {
    client.close();
  }
}

/** The flags both directions take, as the node-agent passes them. */
function commonFlags(command: Command, owner: string): Command {
  return command
    .option('--volume-path <path>', `where the volume is mounted in the pod (default: /<${owner} uid>)`)
    .option('--volume-mode <mode>', 'Filesystem (Block is not supported)', 'Filesystem')
    .option('--resource-timeout <duration>', 'how long to wait for another data mover to create the repository (backup only)', '10m')
    .option('-n, --namespace <namespace>', `namespace of the ${owner} (default: VELERO_NAMESPACE or POD_NAMESPACE, the service account's, else velero)`)
    .option('--kubeconfig <file>', 'kubeconfig file (default: KUBECONFIG, ~/.kube/config, else the in-cluster service account)')
    .option('--log-level <level>', 'trace, debug, info, warn or error', 'info')
    .addOption(new Option('--log-format <format>', 'json or text (default: json unless stderr is a terminal)').choices(['json', 'text']));
}

export function registerDataMover(program: Command): void {
  const group = program.command('data-mover').description('The data path inside a data-mover pod (started by the node-agent, not by people)');
  const backupCommand = group
    .command('backup')
    .description(
      'Back up the volume mounted at --volume-path for a DataUpload once the node-agent starts it (InProgress), into the ' +
        'repository of its source namespace in its BackupStorageLocation; write progress to the DataUpload and the result ' +
        '(Velero\'s BackupResult JSON) to the termination log. Stops with "data path is canceled" when the DataUpload is canceled.',
    )
    .requiredOption('--data-upload <name>', 'the DataUpload to serve');
  commonFlags(backupCommand, 'DataUpload').action(async (_options: unknown, command: Command) => {
    await run('backup', command.opts<DataMoverOptions>());
  });
  const restoreCommand = group
    .command('restore')
    .description(
      'Restore the snapshot of a DataDownload (spec.snapshotID, from the repository of its source namespace in its ' +
        'BackupStorageLocation) into the volume mounted at --volume-path once the node-agent starts it (InProgress); ' +
        'write progress to the DataDownload and the result (JSON) to the termination log. Stops with "data path is ' +
        'canceled" when the DataDownload is canceled.',
    )
    .requiredOption('--data-download <name>', 'the DataDownload to serve');
  commonFlags(restoreCommand, 'DataDownload').action(async (_options: unknown, command: Command) => {
    await run('restore', command.opts<DataMoverOptions>());
  });
}
