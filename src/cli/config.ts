/**
 * `ferry config …`: the node-agent ConfigMap from the command line. `validate` checks a file offline, `apply` puts it
 * in the cluster and rolls the node-agents, `get` compares the live config with what each node-agent loaded. Modules
 * are loaded only when a command runs, so `ferry --help` stays fast.
 */
import { Option, type Command } from 'commander';
import { EXIT_FAILED } from './program.js';

interface ValidateOptions {
  output: 'text' | 'json';
}

function outputOption(): Option {
  return new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text');
}

async function validate(file: string, { output }: ValidateOptions): Promise<void> {
  const { formatIssues, formatReport, formatSummary, loadConfigFile } = await import('../config/index.js');
  const report = await loadConfigFile(file);
  if (output === 'json') {
    process.stdout.write(formatReport(report, 'json'));
  } else {
    process.stderr.write(formatIssues(report));
    process.stdout.write(formatSummary(report));
  }
  if (report.errors.length > 0) process.exitCode = EXIT_FAILED;
}

function addValidate(group: Command): void {
  group
    .command('validate')
    .description(
      'Check a node-agent config the way the node-agent reads it at start, and report every problem with its JSON path. ' +
        'Exit 0 when valid (warnings go to stderr), 1 when invalid.',
    )
    .argument('<file>', 'a raw JSON config (what `kubectl create cm --from-file` takes) or a ConfigMap manifest (YAML or JSON)')
    .addOption(outputOption())
    .action(async (file: string, _options: unknown, command: Command) => {
      await validate(file, command.opts<ValidateOptions>());
    });
}

interface ClusterOptions {
  namespace: string;
  configmap?: string;
  kubeconfig?: string;
}

async function apply(file: string, options: ClusterOptions & { configmap: string }): Promise<void> {
  const [{ applyConfig }, { createKubeClient }] = await Promise.all([import('../install/index.js'), import('../kube/client.js')]);
  const client = createKubeClient({ kubeconfig: options.kubeconfig });
  try {
    const r = await applyConfig({ client, namespace: options.namespace, configMap: options.configmap, file, log: (line) => process.stderr.write(`${line}\n`) });
    process.stdout.write(`configmap/${options.configmap} ${r.configMap} (config hash ${r.hash})\n`);
    const agents = {
      rolled: 'node-agents are restarting to load it (DaemonSet ferry-node-agent rolled)',
      current: 'node-agents already run this config',
      absent: `no node-agent is installed in namespace ${options.namespace}: run ferry install --node-agent-configmap=${options.configmap}`,
    }[r.nodeAgents];
    process.stdout.write(`${agents}\n`);
  } finally {
    client.close();
  }
}

async function get(options: ClusterOptions & ValidateOptions): Promise<void> {
  const [{ configStatus, formatConfigStatus }, { createKubeClient }] = await Promise.all([import('../install/index.js'), import('../kube/client.js')]);
  const client = createKubeClient({ kubeconfig: options.kubeconfig });
  try {
    const status = await configStatus(client, options.namespace, options.configmap);
    process.stdout.write(options.output === 'json' ? `${JSON.stringify(status, null, 2)}\n` : formatConfigStatus(status, options.namespace));
  } finally {
    client.close();
  }
}

function clusterOptions(command: Command): Command {
  return command
    .option('-n, --namespace <namespace>', 'namespace of the ConfigMap and the node-agents', 'velero')
    .option('--kubeconfig <file>', 'kubeconfig file (default: KUBECONFIG, else ~/.kube/config)');
}

export function registerConfig(program: Command): void {
  const group = program.command('config').description('Check, apply and inspect the node-agent ConfigMap (loadAffinity, loadConcurrency, podResources, …)');
  addValidate(group);
  clusterOptions(
    group
      .command('apply')
      .description(
        'Validate a config (an invalid one changes nothing), write it as the ConfigMap\'s only data key, and roll the ' +
          'node-agents (config hash in the DaemonSet pod template) so they load it',
      )
      .requiredOption('-f, --filename <file>', 'a raw JSON config or a ConfigMap manifest, as `config validate` takes')
      .requiredOption('--configmap <name>', 'the node-agent ConfigMap to create or update'),
  ).action(async (_options: unknown, command: Command) => {
    const opts = command.opts<ClusterOptions & { configmap: string; filename: string }>();
    await apply(opts.filename, opts);
  });
  clusterOptions(
    group
      .command('get')
      .description(
        'Print the live node-agent config and, for each running node-agent, the config it loaded (node-agents read it only ' +
          'at start and report its hash on their pod): current, differs (restart it to load the live one) or unknown (not reported yet)',
      )
      .option('--configmap <name>', 'the ConfigMap (default: the one the node-agent DaemonSet reads)')
      .addOption(outputOption()),
  ).action(async (_options: unknown, command: Command) => {
    await get(command.opts<ClusterOptions & ValidateOptions>());
  });
}
