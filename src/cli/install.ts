/**
 * `ferry install`: deploys the node-agent DaemonSet and what it needs (minimal; `uninstall` and more flags come later).
 * Prints one `kind/name action` line per object, as `kubectl apply` does.
 */
import type { Command } from 'commander';

interface InstallFlags {
  namespace: string;
  nodeAgentConfigmap?: string;
  image?: string;
  datamoverName: string;
  dataMoverPrepareTimeout?: string;
  wait?: boolean;
  timeout: string;
  kubeconfig?: string;
}

async function run(flags: InstallFlags): Promise<void> {
  const [{ install }, { createKubeClient }, { durationFlag, formatGoDuration }, { DEFAULT_FERRY_IMAGE }] = await Promise.all([
    import('../install/index.js'),
    import('../kube/client.js'),
    import('../kube/duration.js'),
    import('../kube/image.js'),
  ]);
  const waitTimeoutMs = durationFlag('--timeout', flags.timeout);
  const prepareTimeout = flags.dataMoverPrepareTimeout === undefined ? undefined : formatGoDuration(durationFlag('--data-mover-prepare-timeout', flags.dataMoverPrepareTimeout));
  const client = createKubeClient({ kubeconfig: flags.kubeconfig });
  try {
    const result = await install({
      client,
      namespace: flags.namespace,
      image: flags.image ?? DEFAULT_FERRY_IMAGE,
      nodeAgentConfigMap: flags.nodeAgentConfigmap,
      dataMoverName: flags.datamoverName,
      prepareTimeout,
      wait: flags.wait === true,
      waitTimeoutMs,
      log: (line) => process.stderr.write(`${line}\n`),
    });
    for (const { kind, name, action } of result.steps) process.stdout.write(`${kind.toLowerCase()}/${name} ${action}\n`);
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
        'service account `ferry` and its RBAC, the repository password Secret `ferry-repository` (kept if it exists), on a local ' +
        'cluster the `default` BackupStorageLocation, and the DaemonSet `ferry-node-agent`. Safe to run again. The node-agent ' +
        'ConfigMap must exist in the namespace and be valid; nothing is changed otherwise.',
    )
    .option('-n, --namespace <namespace>', 'namespace to install into', 'velero')
    .option('--node-agent-configmap <name>', 'the node-agent ConfigMap the node-agents read at start (loadAffinity, loadConcurrency, …)')
    .option('--image <image>', 'container image of the node-agent and data movers (default: ferry/ferry:<version>)')
    .option('--datamover-name <name>', 'the spec.datamover value the node-agents handle', 'ferry')
    .option('--data-mover-prepare-timeout <duration>', 'how long a data movement may take to get its data-mover pod running (node-agent default: 30m)')
    .option('--wait', 'wait until the node-agent is ready on every node it runs on')
    .option('--timeout <duration>', 'how long --wait waits', '5m')
    .option('--kubeconfig <file>', 'kubeconfig file (default: KUBECONFIG, else ~/.kube/config)')
    .action(async (_options: unknown, command: Command) => {
      await run(command.opts<InstallFlags>());
    });
}
