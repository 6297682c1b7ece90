/**
 * `ferry backup create | get | describe`: a data-movement backup of one PVC, as Velero's CSI plugin starts one for a
 * `--snapshot-move-data` backup (a VolumeSnapshot, then a DataUpload for the node-agents), and the views of it.
 */
import { Option, type Command } from 'commander';
import type { KubeClient } from '../kube/client.js';
import type { DataUpload } from '../kube/crds.js';
import type { BackupSummary } from './backup-output.js';

export interface CommonFlags {
  namespace: string;
  kubeconfig?: string;
}

interface CreateFlags extends CommonFlags {
  pvc: string;
  storageLocation?: string;
  datamoverName: string;
  wait?: boolean;
}

export async function client(flags: CommonFlags): Promise<KubeClient> {
  const { createKubeClient } = await import('../kube/client.js');
  return createKubeClient({ kubeconfig: flags.kubeconfig });
}

/** Velero's rule when a backup names no location: the namespace's BackupStorageLocation marked default, else `default`. */
async function defaultLocation(kube: KubeClient, namespace: string): Promise<string> {
  const { defaultStorageLocation, DEFAULT_LOCATION_NAME } = await import('../install/storage.js');
  return (await defaultStorageLocation(kube, namespace))?.name ?? DEFAULT_LOCATION_NAME;
}

async function create(name: string, flags: CreateFlags): Promise<void> {
  const [{ requestBackup, parsePvcRef }, output] = await Promise.all([import('../datamover/request.js'), import('./backup-output.js')]);
  const pvc = parsePvcRef(flags.pvc);
  const kube = await client(flags);
  try {
    const { dataUpload, volumeSnapshot } = await requestBackup(kube, {
      name,
      namespace: flags.namespace,
      pvcNamespace: pvc.namespace,
      pvc: pvc.name,
      storageLocation: flags.storageLocation ?? (await defaultLocation(kube, flags.namespace)),
      dataMoverName: flags.datamoverName,
    });
    const duName = dataUpload.metadata.name ?? '';
    const vsName = volumeSnapshot.metadata.name ?? '';
    process.stderr.write(`VolumeSnapshot ${pvc.namespace}/${vsName} and DataUpload ${flags.namespace}/${duName} created\n`);
    if (flags.wait !== true) {
      process.stdout.write(`Backup ${name} submitted: follow it with \`ferry backup describe ${name}\` (the VolumeSnapshot ${pvc.namespace}/${vsName} is yours to delete when it is done)\n`);
      return;
    }
    const { listenForInterrupt, reportInterrupted } = await import('./interrupt.js');
    const interrupt = listenForInterrupt();
    try {
      const { final } = await output.followBackup(kube, { backup: name, namespace: flags.namespace, dataUpload: duName, volumeSnapshot: { namespace: pvc.namespace, name: vsName }, signal: interrupt.signal });
      process.stdout.write(output.formatResult(name, final));
    } catch (err) {
      if (!interrupt.signal.aborted) throw err;
      reportInterrupted(`backup ${name}`, `ferry backup describe ${name} -n ${flags.namespace}`, ` (the VolumeSnapshot ${pvc.namespace}/${vsName} is yours to delete when it is done)`);
    } finally {
      interrupt.stop();
    }
  } finally {
    kube.close();
  }
}

/** What `get` and `describe` need to know about one kind of data movement (backups here, restores in restore.ts). */
export interface MovementKind<Item, Group> {
  /** `backup` or `restore`, for messages and hints. */
  noun: string;
  list(kube: KubeClient, namespace: string, name?: string): Promise<Item[]>;
  group(items: Item[]): Group[];
  formatTable(groups: Group[]): string;
  formatDescribe(name: string, namespace: string, items: Item[]): string;
}

/** `ferry backup get` / `ferry restore get`: one row per backup or restore, or JSON. */
export async function getMovements<Item, Group>(kind: MovementKind<Item, Group>, flags: CommonFlags & { output: 'table' | 'json' }): Promise<void> {
  const kube = await client(flags);
  try {
    const groups = kind.group(await kind.list(kube, flags.namespace));
    if (flags.output === 'json') process.stdout.write(`${JSON.stringify(groups, null, 2)}\n`);
    else if (groups.length === 0) process.stderr.write(`no ${kind.noun}s in namespace ${flags.namespace}\n`);
    else process.stdout.write(kind.formatTable(groups));
  } finally {
    kube.close();
  }
}

/** `ferry backup describe` / `ferry restore describe`: everything about one backup or restore. */
export async function describeMovement<Item, Group>(kind: MovementKind<Item, Group>, name: string, flags: CommonFlags): Promise<void> {
  const { FerryError } = await import('../util/errors.js');
  const kube = await client(flags);
  try {
    const items = await kind.list(kube, flags.namespace, name);
    if (items.length === 0) {
      throw new FerryError('NotFound', `${kind.noun} ${name} not found in namespace ${flags.namespace}`, {
        hint: `list ${kind.noun}s with \`ferry ${kind.noun} get -n ${flags.namespace}\``,
      });
    }
    process.stdout.write(kind.formatDescribe(name, flags.namespace, items));
  } finally {
    kube.close();
  }
}

async function backupKind(): Promise<MovementKind<DataUpload, BackupSummary>> {
  const [{ dataUploadsOf }, { groupByBackup, formatBackupTable, formatDescribe }] = await Promise.all([import('../datamover/request.js'), import('./backup-output.js')]);
  return {
    noun: 'backup',
    list: dataUploadsOf,
    group: groupByBackup,
    formatTable: (groups) => formatBackupTable(groups),
    formatDescribe,
  };
}

/** `get` and `describe` of `ferry backup` or `ferry restore`; the kind is loaded only when one of them runs. */
export function registerMovementViews<Item, Group>(group: Command, kind: () => Promise<MovementKind<Item, Group>>, descriptions: { get: string; describe: string }): void {
  common(
    group
      .command('get')
      .description(descriptions.get)
      .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table')),
  ).action(async (_options: unknown, command: Command) => {
    await getMovements(await kind(), command.opts<CommonFlags & { output: 'table' | 'json' }>());
  });
  common(group.command('describe').description(descriptions.describe).argument('<name>', `the ${group.name()}'s name`)).action(
    async (name: string, _options: unknown, command: Command) => {
      await describeMovement(await kind(), name, command.opts<CommonFlags>());
    },
  );
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
      .option('--storage-location <name>', 'the BackupStorageLocation holding the repository (default: the namespace\'s one marked spec.default, else default)')
      .option('--datamover-name <name>', 'spec.datamover of the DataUpload', 'ferry')
      .option('--wait', 'wait for the end, showing progress'),
  ).action(async (name: string, _options: unknown, command: Command) => {
    await create(name, command.opts<CreateFlags>());
  });
  registerMovementViews(group, backupKind, {
    get: 'List backups: NAME, PHASE, NODE (where the data moved), BYTES, SNAPSHOT (repository snapshot id), AGE',
    describe: 'Show a backup\'s DataUploads: phases, nodes, messages, snapshot ids and timings',
  });
}
