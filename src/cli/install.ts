/**
 * `ferry install`: deploys the node-agent DaemonSet and what it needs. Prints one `kind/name action` line per object,
 * as `kubectl apply` does, or with `--dry-run` the objects it would write.
 */
import { Option, type Command } from 'commander';
import type { InstallStep, PlannedObject } from '../install/index.js';
import type { Toleration } from '../kube/models.js';
import { usageError } from '../util/errors.js';

interface InstallFlags {
  namespace: string;
  nodeAgentConfigmap?: string;
  image?: string;
  datamoverName: string;
  dataMoverPrepareTimeout?: string;
  wait?: boolean;
  timeout: string;
  kubeconfig?: string;
  nodeAgentPodCpuRequest?: string;
  nodeAgentPodMemRequest?: string;
  nodeAgentPodCpuLimit?: string;
  nodeAgentPodMemLimit?: string;
  tolerations?: string;
  tolerationsFile?: string;
  dryRun?: boolean;
  crdsOnly?: boolean;
  output?: 'yaml' | 'json';
  provider?: string;
  bucket?: string;
  prefix?: string;
  backupLocationConfig?: string;
  secretFile?: string;
}

async function tolerations(flags: InstallFlags): Promise<Toleration[] | undefined> {
  const { loadTolerationsFile, parseTolerations } = await import('../install/pod-options.js');
  if (flags.tolerations !== undefined && flags.tolerationsFile !== undefined) throw usageError('use either --tolerations or --tolerations-file');
  if (flags.tolerationsFile !== undefined) return loadTolerationsFile(flags.tolerationsFile);
  return flags.tolerations === undefined ? undefined : parseTolerations(flags.tolerations);
}

async function printDryRun(objects: readonly object[], output: 'yaml' | 'json'): Promise<void> {
  if (output === 'json') {
    process.stdout.write(`${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }, null, 2)}\n`);
    return;
  }
  const { stringify } = await import('yaml');
  process.stdout.write(objects.map((o) => stringify(o)).join('---\n'));
}

/** `--dry-run` leaves out what exists and would be kept: say so, since the output is then not a complete set. */
function noteKept(kept: readonly PlannedObject[]): void {
  if (kept.length === 0) return;
  const names = kept.map((p) => `${p.kind.toLowerCase()}/${p.name}`).join(', ');
  process.stderr.write(
    `note: ${String(kept.length)} object${kept.length === 1 ? '' : 's'} already exist${kept.length === 1 ? 's' : ''} and ${kept.length === 1 ? 'is' : 'are'} not printed (${names}): ` +
      'this is not a complete manifest set; run against a cluster without Ferry for one\n',
  );
}

async function run(flags: InstallFlags): Promise<void> {
  if (flags.output !== undefined && flags.dryRun !== true) throw usageError('-o/--output needs --dry-run');
  if (flags.image !== undefined && flags.image.trim() === '') throw usageError('--image must name an image', 'e.g. --image registry.example.com/ferry:0.1.0, or leave it out for the default');
  const [{ dryRunObjects, install, keptObjects, planInstall }, { podResources }, { createKubeClient }, { durationFlag, formatGoDuration }, { DEFAULT_FERRY_IMAGE }] = await Promise.all([
    import('../install/index.js'),
    import('../install/pod-options.js'),
    import('../kube/client.js'),
    import('../kube/duration.js'),
    import('../kube/image.js'),
  ]);
  const waitTimeoutMs = durationFlag('--timeout', flags.timeout);
  const prepareTimeout = flags.dataMoverPrepareTimeout === undefined ? undefined : formatGoDuration(durationFlag('--data-mover-prepare-timeout', flags.dataMoverPrepareTimeout));
  const resources = podResources({
    cpuRequest: flags.nodeAgentPodCpuRequest,
    memRequest: flags.nodeAgentPodMemRequest,
    cpuLimit: flags.nodeAgentPodCpuLimit,
    memLimit: flags.nodeAgentPodMemLimit,
  });
  const podTolerations = await tolerations(flags);
  const client = createKubeClient({ kubeconfig: flags.kubeconfig });
  try {
    const options = {
      client,
      namespace: flags.namespace,
      image: flags.image ?? DEFAULT_FERRY_IMAGE,
      nodeAgentConfigMap: flags.nodeAgentConfigmap,
      crdsOnly: flags.crdsOnly === true,
      dataMoverName: flags.datamoverName,
      prepareTimeout,
      wait: flags.wait === true,
      waitTimeoutMs,
      resources,
      tolerations: podTolerations,
      storage: { provider: flags.provider, bucket: flags.bucket, prefix: flags.prefix, backupLocationConfig: flags.backupLocationConfig, secretFile: flags.secretFile },
      log: (line: string) => process.stderr.write(`${line}\n`),
      onStep: ({ kind, name, action }: InstallStep) => process.stdout.write(`${kind.toLowerCase()}/${name} ${action}\n`),
    };
    if (flags.dryRun === true) {
      const plan = await planInstall(options);
      await printDryRun(dryRunObjects(plan), flags.output ?? 'yaml');
      noteKept(keptObjects(plan));
      return;
    }
    const result = await install(options);
    if (flags.crdsOnly === true) {
      process.stdout.write('Velero\'s CRDs are installed and established.\n');
      return;
    }
    const ready = result.nodeAgents === undefined ? '' : ` (${result.nodeAgents.ready} of ${result.nodeAgents.desired} node-agents ready)`;
    process.stdout.write(`Ferry's node-agent is installed in namespace ${flags.namespace}${ready}.\n`);
  } finally {
    client.close();
  }
}

export function registerInstall(program: Command): void {
  program
    .command('install')
    .summary('Install the node-agent DaemonSet and what it needs (CRDs, RBAC, repository password)')
    .description(
      'Install Ferry\'s node-agent: Velero\'s DataUpload/DataDownload/BackupStorageLocation CRDs where absent, the namespace, ' +
        'service account `ferry` with a ClusterRole for what is cluster-wide and a Role in the namespace for the rest, the ' +
        'repository password Secret `ferry-repository` (kept if it exists), the `default` BackupStorageLocation when there is no ' +
        'default one (an existing one marked spec.default, or named default, is used as is; otherwise from --provider/--bucket/…, ' +
        'or on a local cluster its object store), and the DaemonSet `ferry-node-agent`. Safe to run again; without ' +
        '--node-agent-configmap a re-run keeps the ConfigMap the installed DaemonSet reads. The node-agent ConfigMap must exist ' +
        'in the namespace and be valid; nothing is changed otherwise. --dry-run prints what would be applied: objects that ' +
        'exist and would be kept are left out (a note on stderr lists them), so for a complete manifest set run it against ' +
        'a cluster without Ferry; --crds-only --dry-run prints the CRDs to apply first.',
    )
    .option('-n, --namespace <namespace>', 'namespace to install into', 'velero')
    .option('--node-agent-configmap <name>', 'the node-agent ConfigMap the node-agents read at start (loadAffinity, loadConcurrency, …); not given: keep the installed DaemonSet\'s; empty: none')
    .option('--image <image>', 'container image of the node-agent and data movers (default: ferry/ferry:<version>)')
    .option('--datamover-name <name>', 'the spec.datamover value the node-agents handle', 'ferry')
    .option('--data-mover-prepare-timeout <duration>', 'how long a data movement may take to get its data-mover pod running (node-agent default: 30m)')
    .option('--node-agent-pod-cpu-request <quantity>', 'CPU request of the node-agent container (e.g. 500m)')
    .option('--node-agent-pod-mem-request <quantity>', 'memory request of the node-agent container (e.g. 512Mi)')
    .option('--node-agent-pod-cpu-limit <quantity>', 'CPU limit of the node-agent container')
    .option('--node-agent-pod-mem-limit <quantity>', 'memory limit of the node-agent container')
    .option('--tolerations <list>', 'tolerations of the node-agent pods: key[=value][:Effect],… (no value: any value; no effect: every effect)')
    .option('--tolerations-file <file>', 'tolerations of the node-agent pods as a YAML or JSON list, as in a pod spec')
    .option('--provider <name>', 'object store provider of the `default` BackupStorageLocation, created when no default one exists (aws: any S3-compatible store)')
    .option('--bucket <bucket>', 'bucket of the BackupStorageLocation')
    .option('--prefix <prefix>', 'prefix inside the bucket')
    .option('--backup-location-config <key=value,…>', 'BackupStorageLocation config, e.g. region=us-east-1,s3Url=http://minio:9000,s3ForcePathStyle=true')
    .option('--secret-file <file>', 'credentials file (AWS profile format) stored in the Secret cloud-credentials, key cloud')
    .option('--crds-only', 'only Velero\'s CRDs (where absent), as velero install --crds-only; with --dry-run, print only them')
    .option('--dry-run', 'print what would be applied instead of applying it (reads the cluster to decide: ConfigMap check, existing objects, which are left out)')
    .addOption(new Option('-o, --output <format>', 'format of --dry-run: yaml (multi-document) or json (a List)').choices(['yaml', 'json']))
    .option('--wait', 'wait until the node-agent is ready on every node it runs on')
    .option('--timeout <duration>', 'how long --wait waits', '5m')
    .option('--kubeconfig <file>', 'kubeconfig file (default: KUBECONFIG, else ~/.kube/config)')
    .action(async (_options: unknown, command: Command) => {
      await run(command.opts<InstallFlags>());
    });
  registerUninstall(program);
}

async function runUninstall(flags: { namespace: string; deleteRepositoryPassword?: boolean; kubeconfig?: string }): Promise<void> {
  const [{ uninstall }, { createKubeClient }] = await Promise.all([import('../install/index.js'), import('../kube/client.js')]);
  const client = createKubeClient({ kubeconfig: flags.kubeconfig });
  try {
    const steps = await uninstall({ client, namespace: flags.namespace, deleteRepositoryPassword: flags.deleteRepositoryPassword === true });
    const found = steps.filter((s) => s.action !== 'not found');
    if (found.length === 0) {
      process.stdout.write(`Ferry is not installed in namespace ${flags.namespace}: nothing to uninstall.\n`);
      return;
    }
    for (const { kind, name, action } of steps) process.stdout.write(`${kind.toLowerCase()}/${name} ${action}\n`);
    if (steps.some((s) => s.kind === 'Secret' && s.action === 'kept')) {
      process.stderr.write('note: the repository password Secret is kept: without it the backups in the object store cannot be read (--delete-repository-password removes it)\n');
    }
    process.stdout.write(
      found.some((s) => s.action === 'deleted')
        ? `Ferry's node-agent is uninstalled from namespace ${flags.namespace}; CRDs and backup data are kept.\n`
        : `Ferry's node-agent was not installed in namespace ${flags.namespace}: nothing was removed.\n`,
    );
  } finally {
    client.close();
  }
}

function registerUninstall(program: Command): void {
  program
    .command('uninstall')
    .summary('Remove what ferry install created (not CRDs, not backup data)')
    .description(
      'Remove the node-agent DaemonSet, its RBAC (ClusterRole, Role and bindings) and service account, and the Secrets and BackupStorageLocation ' +
        'ferry install created (label component=ferry; ones others made are kept). CRDs are never removed (Velero may ' +
        'own them; removing one deletes all its objects), nor the namespace or backup data. The repository password ' +
        'Secret is kept unless --delete-repository-password: without it the backups cannot be read. Says so when nothing of Ferry\'s is installed in the namespace.',
    )
    .option('-n, --namespace <namespace>', 'namespace ferry install installed into', 'velero')
    .option('--delete-repository-password', 'also delete the Secret ferry-repository (the backups become unreadable)')
    .option('--kubeconfig <file>', 'kubeconfig file (default: KUBECONFIG, else ~/.kube/config)')
    .action(async (_options: unknown, command: Command) => {
      await runUninstall(command.opts());
    });
}
