/**
 * `ferry data-mover backup`: what runs inside a data-mover pod. It writes its result (or its failure) to the
 * termination log, where the node-agent reads it, and exits 0 or 1.
 */
import { Option, type Command } from 'commander';
import { usageError } from '../util/errors.js';

interface BackupOptions {
  dataUpload: string;
  volumePath?: string;
  volumeMode: string;
  resourceTimeout: string;
  namespace?: string;
  kubeconfig?: string;
  logLevel: string;
  logFormat?: 'json' | 'text';
}

async function backup(options: BackupOptions): Promise<void> {
  if (options.volumeMode !== 'Filesystem') throw usageError(`--volume-mode ${options.volumeMode} is not supported: Ferry moves Filesystem volumes`);
  const [{ dataMoverBackup, writeTerminationMessage }, { durationFlag }, { createKubeClient }, { podNamespace }, { createLogger }, { errorMessage }] = await Promise.all([
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
  try {
    const result = await dataMoverBackup({
      client,
      namespace: podNamespace(options.namespace),
      dataUpload: options.dataUpload,
      volumePath: options.volumePath,
      resourceTimeoutMs,
      logger,
    });
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

export function registerDataMover(program: Command): void {
  const group = program.command('data-mover').description('The data path inside a data-mover pod (started by the node-agent, not by people)');
  group
    .command('backup')
    .description(
      'Back up the volume mounted at --volume-path for a DataUpload once the node-agent starts it (InProgress), into the ' +
        'repository of its source namespace in its BackupStorageLocation; write progress to the DataUpload and the result ' +
        '(Velero\'s BackupResult JSON) to the termination log. Stops with "data path is canceled" when the DataUpload is canceled.',
    )
    .requiredOption('--data-upload <name>', 'the DataUpload to serve')
    .option('--volume-path <path>', 'where the backup volume is mounted in the pod (default: /<DataUpload uid>)')
    .option('--volume-mode <mode>', 'Filesystem (Block is not supported)', 'Filesystem')
    .option('--resource-timeout <duration>', 'how long to wait for another data mover to create the repository', '10m')
    .option('-n, --namespace <namespace>', 'namespace of the DataUpload (default: VELERO_NAMESPACE or POD_NAMESPACE, the service account\'s, else velero)')
    .option('--kubeconfig <file>', 'kubeconfig file (default: KUBECONFIG, ~/.kube/config, else the in-cluster service account)')
    .option('--log-level <level>', 'trace, debug, info, warn or error', 'info')
    .addOption(new Option('--log-format <format>', 'json or text (default: json unless stderr is a terminal)').choices(['json', 'text']))
    .action(async (_options: unknown, command: Command) => {
      await backup(command.opts<BackupOptions>());
    });
}
