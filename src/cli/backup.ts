/**
 * `ferry backup create | get | describe`: a data-movement backup of one PVC, as Velero's CSI plugin starts one for a
 * `--snapshot-move-data` backup (a VolumeSnapshot, then a DataUpload for the node-agents), and the views of it.
 */
import { Option, type Command } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeClient } from '../kube/client.js';

export interface CommonFlags {
  namespace: string;
  kubeconfig?: string;
}

interface CreateFlags extends CommonFlags {
  pvc: string;
  storageLocation: string;
  datamoverName: string;
  wait?: boolean;
}

const FINAL = new Set(['Completed', 'Failed', 'Canceled']);

export async function client(flags: CommonFlags): Promise<KubeClient> {
  const { createKubeClient } = await import('../kube/client.js');
  return createKubeClient({ kubeconfig: flags.kubeconfig });
}

async function create(name: string, flags: CreateFlags): Promise<void> {
  const [{ requestBackup, parsePvcRef }, { R }, output, { FerryError }] = await Promise.all([
    import('../datamover/request.js'),
    import('../kube/resources.js'),
    import('./backup-output.js'),
    import('../util/errors.js'),
  ]);
  const pvc = parsePvcRef(flags.pvc);
  const kube = await client(flags);
  try {
    const { dataUpload, volumeSnapshot } = await requestBackup(kube, {
      name,
      namespace: flags.namespace,
      pvcNamespace: pvc.namespace,
      pvc: pvc.name,
      storageLocation: flags.storageLocation,
      dataMoverName: flags.datamoverName,
    });
    const duName = dataUpload.metadata.name ?? '';
    const vsName = volumeSnapshot.metadata.name ?? '';
    process.stderr.write(`VolumeSnapshot ${pvc.namespace}/${vsName} and DataUpload ${flags.namespace}/${duName} created\n`);
    if (flags.wait !== true) {
      process.stdout.write(`Backup ${name} submitted: follow it with \`ferry backup describe ${name}\` (the VolumeSnapshot ${pvc.namespace}/${vsName} is yours to delete when it is done)\n`);
      return;
    }
    const display = output.waitDisplay();
    let du = dataUpload;
    try {
      for (;;) {
        du = await kube.get(R.dataUploads, { namespace: flags.namespace, name: duName });
        display.show(du);
        if (FINAL.has(du.status?.phase ?? 'New')) break;
        await sleep(500);
      }
    } finally {
      display.stop();
      await kube.delete(R.volumeSnapshots, { namespace: pvc.namespace, name: vsName });
    }
    if (du.status?.phase !== 'Completed') {
      throw new FerryError('Internal', `backup ${name} ${(du.status?.phase ?? '').toLowerCase()}${du.status?.node === undefined ? '' : ` on node ${du.status.node}`}: ${du.status?.message ?? 'no message'}`, {
        hint: `ferry backup describe ${name} -n ${flags.namespace}`,
      });
    }
    process.stdout.write(output.formatResult(name, du));
  } finally {
    kube.close();
  }
}

async function get(flags: CommonFlags & { output: 'table' | 'json' }): Promise<void> {
  const [{ dataUploadsOf }, { groupByBackup, formatBackupTable }] = await Promise.all([import('../datamover/request.js'), import('./backup-output.js')]);
  const kube = await client(flags);
  try {
    const backups = groupByBackup(await dataUploadsOf(kube, flags.namespace));
    if (flags.output === 'json') process.stdout.write(`${JSON.stringify(backups, null, 2)}\n`);
    else if (backups.length === 0) process.stderr.write(`no backups in namespace ${flags.namespace}\n`);
    else process.stdout.write(formatBackupTable(backups));
  } finally {
    kube.close();
  }
}

async function describe(name: string, flags: CommonFlags): Promise<void> {
  const [{ dataUploadsOf }, { formatDescribe }, { FerryError }] = await Promise.all([import('../datamover/request.js'), import('./backup-output.js'), import('../util/errors.js')]);
  const kube = await client(flags);
  try {
    const uploads = await dataUploadsOf(kube, flags.namespace, name);
    if (uploads.length === 0) throw new FerryError('NotFound', `backup ${name} not found in namespace ${flags.namespace}`, { hint: `list backups with \`ferry backup get -n ${flags.namespace}\`` });
    process.stdout.write(formatDescribe(name, flags.namespace, uploads));
  } finally {
    kube.close();
  }
}

/** `-n` and `--kubeconfig`, shared with `ferry restore`. */
export function common(command: Command): Command {
  return command
    .option('-n, --namespace <namespace>', 'namespace Ferry is installed in (DataUploads, DataDownloads, BackupStorageLocations)', 'velero')
    .option('--kubeconfig <file>', 'kubeconfig file (default: KUBECONFIG, else ~/.kube/config)');
}

export function registerBackup(program: Command): void {
  const group = program.command('backup').description('Back up PVCs with Ferry\'s data mover (what Velero does for --snapshot-move-data)');
  common(
    group
      .command('create')
      .description(
        'Snapshot a PVC (with its CSI driver\'s default VolumeSnapshotClass) and create a DataUpload (spec.datamover ferry) for ' +
          'the node-agents to move its data to the repository. With --wait, show progress and the result, including the node ' +
          'that ran it, and delete the VolumeSnapshot afterwards; exit 1 unless it completed.',
      )
      .argument('<name>', 'the backup\'s name (label velero.io/backup-name on its objects)')
      .requiredOption('--pvc <namespace/name>', 'the PVC to back up')
      .option('--storage-location <name>', 'the BackupStorageLocation holding the repository', 'default')
      .option('--datamover-name <name>', 'spec.datamover of the DataUpload', 'ferry')
      .option('--wait', 'wait for the end, showing progress'),
  ).action(async (name: string, _options: unknown, command: Command) => {
    await create(name, command.opts<CreateFlags>());
  });
  common(
    group
      .command('get')
      .description('List backups: NAME, PHASE, NODE (where the data moved), BYTES, SNAPSHOT (repository snapshot id), AGE')
      .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table')),
  ).action(async (_options: unknown, command: Command) => {
    await get(command.opts<CommonFlags & { output: 'table' | 'json' }>());
  });
  common(
    group
      .command('describe')
      .description('Show a backup\'s DataUploads: phases, nodes, messages, snapshot ids and timings')
      .argument('<name>', 'the backup\'s name'),
  ).action(async (name: string, _options: unknown, command: Command) => {
    await describe(name, command.opts<CommonFlags>());
  });
}
