/**
 * `ferry affinity …`: where data-mover pods may run. `explain` shows the loadAffinity entry a storage class picks,
 * the exact node affinity data-mover pods carry, and for each node whether it is eligible or every reason it is not:
 * from files (`--config`, `--nodes`), or without `--nodes` from the live cluster. The modules are loaded only when a
 * command runs, so `ferry --help` stays fast.
 */
import { Option } from 'commander';
import type { Command } from 'commander';
import type { ConfigReport, NodeAgentConfig } from '../config/types.js';
import type { LiveCluster } from '../install/index.js';
import { FerryError, usageError } from '../util/errors.js';
import { EXIT_FAILED } from './program.js';

interface ExplainOptions {
  config?: string;
  nodes?: string;
  namespace: string;
  configmap?: string;
  kubeconfig?: string;
  storageClass?: string;
  output: 'text' | 'json';
}

/** The config, or `undefined` after printing why it cannot be used (the report `ferry config validate` prints). */
async function usableConfig(report: ConfigReport, output: ExplainOptions['output']): Promise<NodeAgentConfig | undefined> {
  const { formatIssues, formatReport } = await import('../config/index.js');
  if (report.config === undefined || report.errors.length > 0) {
    // JSON goes to stdout for scripts, text is an error message.
    const text = formatReport(report, output);
    if (output === 'json') process.stdout.write(text);
    else process.stderr.write(text);
    process.exitCode = EXIT_FAILED;
    return undefined;
  }
  process.stderr.write(formatIssues(report));
  return report.config;
}

/** Live mode: nodes, node-agents, tolerations, storage classes and (without --config) the ConfigMap from the cluster. */
/**
 * Every class with an entry; when there is also a global entry, the cluster's classes it applies to (those without
 * an entry of their own), since that is where a default-class PVC's data movement goes.
 */
function classesToAnswer(config: NodeAgentConfig, entryClasses: string[], live: LiveCluster): string[] {
  if (entryClasses.length === 0) return [''];
  if (!(config.loadAffinity ?? []).some((e) => e.storageClass === undefined || e.storageClass === '')) return entryClasses;
  const others = live.storageClasses.map((c) => c.metadata?.name ?? '').filter((name) => name !== '' && !entryClasses.includes(name));
  return [...entryClasses, ...(others.length > 0 ? others : [''])];
}

async function runLiveExplain(options: ExplainOptions): Promise<void> {
  const [{ loadConfigFile, parseConfigMap }, { classTopology, explainLive, readLiveCluster }, { createKubeClient }] = await Promise.all([
    import('../config/index.js'),
    import('../install/index.js'),
    import('../kube/client.js'),
  ]);
  const client = createKubeClient({ kubeconfig: options.kubeconfig });
  let live: LiveCluster;
  try {
    live = await readLiveCluster(client, options.namespace, options.configmap);
  } finally {
    client.close();
  }
  let report: ConfigReport;
  if (options.config !== undefined) report = await loadConfigFile(options.config);
  else if (live.configMapName === undefined) throw usageError(`the node-agent DaemonSet in ${options.namespace} reads no ConfigMap: pass --configmap NAME or --config FILE`);
  else if (live.configMap === undefined) {
    throw new FerryError('NotFound', `ConfigMap ${options.namespace}/${live.configMapName} not found`, {
      hint: options.configmap === undefined ? `the node-agent DaemonSet names it: create it (kubectl create cm ${live.configMapName} -n ${options.namespace} --from-file=<config.json>)` : `list them with kubectl get cm -n ${options.namespace}, or omit --configmap to use the one the node-agent DaemonSet reads`,
    });
  }
  else report = parseConfigMap(live.configMap, live.configMapName, { namespace: options.namespace });
  const config = await usableConfig(report, options.output);
  if (config === undefined) return;
  const entryClasses = [...new Set((config.loadAffinity ?? []).map((e) => e.storageClass).filter((c): c is string => c !== undefined && c !== ''))];
  const classes = options.storageClass !== undefined ? [options.storageClass] : classesToAnswer(config, entryClasses, live);
  const answers = classes.map((storageClass) => {
    const sc = live.storageClasses.find((c) => c.metadata?.name === storageClass);
    const topology = classTopology(sc);
    const result = explainLive(live, config, storageClass);
    const binding = sc === undefined ? (storageClass === '' ? '' : 'not found in the cluster') : `volumeBindingMode ${sc.volumeBindingMode ?? 'Immediate'}`;
    const wffc = sc?.volumeBindingMode === 'WaitForFirstConsumer' ? '; the source volume\'s topology narrows this further' : '';
    return { storageClass, storageClassInfo: `${binding}${topology === undefined ? '' : ', allowedTopologies applied'}${wffc}`, result };
  });
  if (options.output === 'json') {
    const out = answers.map(({ storageClass, storageClassInfo, result: { entry, affinity, nodes } }) => ({ storageClass, storageClassInfo, entry, affinity, nodes }));
    process.stdout.write(`${JSON.stringify({ configMap: live.configMapName ?? null, nodeAgentNodes: [...live.nodeAgentNodes].sort(), classes: out }, null, 2)}\n`);
    return;
  }
  const { formatExplanation } = await import('../affinity/index.js');
  const header = `node-agents Ready on: ${[...live.nodeAgentNodes].sort().join(', ') || 'no node'}; data-mover tolerations: ${live.tolerations.length} (from the DaemonSet)\n`;
  process.stdout.write(header + answers.map(({ storageClass, storageClassInfo, result }) => `\n== storage class ${storageClass === '' ? '(none)' : storageClass}${storageClassInfo === '' ? '' : ` (${storageClassInfo})`}\n${formatExplanation(result, 'text')}`).join(''));
}

async function runExplain(options: ExplainOptions): Promise<void> {
  if (options.nodes === undefined) {
    await runLiveExplain(options);
    return;
  }
  if (options.config === undefined) throw usageError('--config FILE is required with --nodes', 'without --nodes, the config and nodes are read from the cluster');
  const [{ loadConfigFile }, { explain, formatExplanation, loadNodesFile }] = await Promise.all([import('../config/index.js'), import('../affinity/index.js')]);
  const config = await usableConfig(await loadConfigFile(options.config), options.output);
  if (config === undefined) return;
  const nodes = await loadNodesFile(options.nodes);
  const result = explain({ config, nodes, storageClass: options.storageClass ?? '' });
  process.stdout.write(formatExplanation(result, options.output));
}

export function registerAffinity(program: Command): void {
  const affinity = program
    .command('affinity')
    .description('Where data-mover pods may run: the loadAffinity section of the node-agent ConfigMap against your nodes');
  affinity
    .command('explain')
    .description(
      'Show which loadAffinity entry applies to a storage class, the exact node affinity data-mover pods get, and for ' +
        'each node whether it is eligible or every reason it is not',
    )
    .option('--config <file>', 'node-agent config: the raw JSON document, or a ConfigMap manifest (YAML or JSON); required with --nodes, else default: the live ConfigMap')
    .option('--nodes <file>', 'the nodes: what `kubectl get nodes -o yaml` (or -o json) prints, or a list of Node objects (default: the live cluster)')
    .option('--configmap <name>', 'live mode: the node-agent ConfigMap (default: the one the ferry-node-agent DaemonSet reads)')
    .option('-n, --namespace <namespace>', 'live mode: namespace of the node-agent', 'velero')
    .option('--kubeconfig <file>', 'live mode: kubeconfig file (default: KUBECONFIG, else ~/.kube/config)')
    .option(
      '--storage-class <name>',
      'storage class that picks the entry: the backup PVC storage class for a backup, the target PVC storage class for a ' +
        'restore (default: none, which picks the first entry without storageClass)',
    )
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((options: ExplainOptions) => runExplain(options));
}
