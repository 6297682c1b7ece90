/**
 * `ferry restore create | get | describe`: a data-movement restore, as Velero's restore starts one for a data-moved
 * PVC (the target PVC, then a DataDownload for the node-agents), and the views of it.
 */
import type { Command } from 'commander';
import type { KubeClient } from '../kube/client.js';
import type { DataDownload } from '../kube/crds.js';
import { client, common, registerMovementViews, type CommonFlags, type MovementKind } from './backup.js';
import type { RestoreSummary } from './restore-output.js';

interface CreateFlags extends CommonFlags {
  fromBackup?: string;
  namespaceMapping: string[];
  dataUpload?: string;
  targetPvc?: string;
  storageClass?: string;
  datamoverName: string;
  wait?: boolean;
}

async function create(name: string, flags: CreateFlags): Promise<void> {
  const [request, { usageError }] = await Promise.all([import('../datamover/restore-request.js'), import('../util/errors.js')]);
  const fromBackup = flags.fromBackup !== undefined;
  if (fromBackup === (flags.dataUpload !== undefined)) throw usageError('give either --from-backup BACKUP or --data-upload DU (with --target-pvc NS/PVC)');
  if (fromBackup && (flags.targetPvc !== undefined || flags.storageClass !== undefined)) throw usageError('--target-pvc and --storage-class go with --data-upload, not --from-backup');
  if (!fromBackup && flags.targetPvc === undefined) throw usageError('--data-upload needs --target-pvc NS/PVC');
  if (!fromBackup && flags.namespaceMapping.length > 0) throw usageError('--namespace-mapping goes with --from-backup; with --data-upload, name the target with --target-pvc');
  const mapping = request.parseNamespaceMapping(flags.namespaceMapping);
  const target = flags.targetPvc === undefined ? undefined : request.parseTargetPvc(flags.targetPvc);
  const kube = await client(flags);
  try {
    const items =
      target === undefined
        ? await request.itemsFromBackup(kube, flags.namespace, flags.fromBackup ?? '', mapping)
        : [await request.itemFromDataUpload(kube, flags.namespace, flags.dataUpload ?? '', target, flags.storageClass)];
    const created = await request.requestRestore(kube, {
      name,
      namespace: flags.namespace,
      items,
      dataMoverName: flags.datamoverName,
      report: (line) => process.stderr.write(`${line}\n`),
    });
    for (const dd of created) process.stderr.write(`PVC ${dd.spec.targetVolume.namespace}/${dd.spec.targetVolume.pvc} and DataDownload ${flags.namespace}/${dd.metadata.name ?? ''} created\n`);
    if (flags.wait !== true) {
      process.stdout.write(`Restore ${name} submitted: follow it with \`ferry restore describe ${name}\`\n`);
      return;
    }
    await waitForRestore(kube, name, flags.namespace, created);
  } finally {
    kube.close();
  }
}

/**
 * `create --wait`: follows each DataDownload to its end with progress and prints its result; exits 1 unless all
 * completed. Ctrl-C stops following only (exit 130): the restore goes on in the cluster.
 */
async function waitForRestore(kube: KubeClient, name: string, namespace: string, created: readonly DataDownload[]): Promise<void> {
  const [{ R }, output, { followWithProgress }, { FerryError, isFerryError }, { listenForInterrupt, reportInterrupted }] = await Promise.all([
    import('../kube/resources.js'),
    import('./restore-output.js'),
    import('./backup-output.js'),
    import('../util/errors.js'),
    import('./interrupt.js'),
  ]);
  const interrupt = listenForInterrupt();
  /** Volumes not restored, with why; their target PVCs stay, bound to nothing, and block a retry into the same place. */
  const failed: { dd: DataDownload; why: string }[] = [];
  try {
    for (const dd of created) {
      const ddName = dd.metadata.name ?? '';
      try {
        const { final } = await followWithProgress<DataDownload>(kube, R.dataDownloads, { namespace, name: ddName, signal: interrupt.signal });
        process.stdout.write(output.formatRestoreResult(final));
        if (final.status?.phase !== 'Completed') failed.push({ dd, why: final.status?.message ?? `${final.status?.phase ?? 'New'}, no message` });
      } catch (err) {
        if (interrupt.signal.aborted) {
          reportInterrupted(`restore ${name}`, `ferry restore describe ${name} -n ${namespace}`);
          return;
        }
        if (!isFerryError(err) || err.code !== 'Canceled') throw err;
        process.stdout.write(`PVC ${dd.spec.targetVolume.namespace}/${dd.spec.targetVolume.pvc} Canceled: ${err.message}\n`);
        failed.push({ dd, why: err.message });
      }
    }
  } finally {
    interrupt.stop();
  }
  const [first] = failed;
  if (first !== undefined) {
    const stranded = new Map<string, string[]>();
    for (const { namespace: ns, pvc } of failed.map((f) => f.dd.spec.targetVolume)) stranded.set(ns, [...(stranded.get(ns) ?? []), pvc]);
    const cleanUp = [...stranded].map(([ns, pvcs]) => `kubectl delete pvc -n ${ns} ${pvcs.join(' ')}`).join(' && ');
    throw new FerryError('Internal', `restore ${name}: ${failed.length} of ${created.length} volumes not restored (${first.why})`, {
      hint: `ferry restore describe ${name} -n ${namespace}; the target PVCs of those volumes stay, bound to nothing: delete them before restoring there again (${cleanUp})`,
    });
  }
}

async function restoreKind(): Promise<MovementKind<DataDownload, RestoreSummary>> {
  const [{ dataDownloadsOf }, { groupByRestore, formatRestoreTable, formatRestoreDescribe }] = await Promise.all([
    import('../datamover/restore-request.js'),
    import('./restore-output.js'),
  ]);
  return {
    noun: 'restore',
    list: dataDownloadsOf,
    group: groupByRestore,
    formatTable: (groups) => formatRestoreTable(groups),
    formatDescribe: formatRestoreDescribe,
  };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function registerRestore(program: Command): void {
  const group = program.command('restore').description('Restore PVCs backed up with Ferry\'s data mover (DataDownloads)');
  common(
    group
      .command('create')
      .description(
        'Create the target PVC(s) and a DataDownload (spec.datamover ferry) per volume for the node-agents to restore into: ' +
          'with --from-backup, one per completed DataUpload of the backup, into a PVC of the source PVC\'s name, size and ' +
          'storage class in the (mapped) namespace; with --data-upload, one into --target-pvc. An existing target PVC is an ' +
          'error. With --wait, show progress and the result with the node each ran on; exit 1 unless all completed.',
      )
      .argument('<name>', 'the restore\'s name (label velero.io/restore-name on its objects)')
      .option('--from-backup <backup>', 'restore every completed volume of this backup')
      .option('--namespace-mapping <old:new>', 'restore volumes of namespace old into namespace new (repeatable, or comma-separated)', collect, [])
      .option('--data-upload <name>', 'restore the snapshot of this completed DataUpload (needs --target-pvc)')
      .option('--target-pvc <namespace/name>', 'the PVC to create and restore into (with --data-upload)')
      .option('--storage-class <name>', 'storage class of the target PVC (with --data-upload; default: the source PVC\'s)')
      .option('--datamover-name <name>', 'spec.datamover of the DataDownloads', 'ferry')
      .option('--wait', 'wait for the end, showing progress'),
  ).action(async (name: string, _options: unknown, command: Command) => {
    await create(name, command.opts<CreateFlags>());
  });
  registerMovementViews(group, restoreKind, {
    get: 'List restores: NAME, PHASE, NODE (where the data moved), BYTES, TARGETS (target PVCs), AGE',
    describe: 'Show a restore\'s DataDownloads: phases, target PVCs, nodes, messages and timings',
  });
}
