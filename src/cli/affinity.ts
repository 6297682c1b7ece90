/**
 * `ferry affinity …`: where data-mover pods may run. `explain` shows the loadAffinity entry a storage class picks,
 * the exact node affinity data-mover pods carry, and for each node whether it is eligible or every reason it is not.
 * The modules are loaded only when a command runs, so `ferry --help` stays fast.
 */
import { Option } from 'commander';
import type { Command } from 'commander';
import { usageError } from '../util/errors.js';
import { EXIT_FAILED } from './program.js';

interface ExplainOptions {
  config: string;
  nodes?: string;
  storageClass?: string;
  output: 'text' | 'json';
}

async function runExplain(options: ExplainOptions): Promise<void> {
  if (options.nodes === undefined) {
    throw usageError(
      'ferry affinity explain needs --nodes FILE (reading the nodes of a live cluster is not available yet)',
      'export them with: kubectl get nodes -o yaml > nodes.yaml',
    );
  }
  const [{ formatIssues, formatReport, loadConfigFile }, { explain, formatExplanation, loadNodesFile }] = await Promise.all([
    import('../config/index.js'),
    import('../affinity/index.js'),
  ]);
  const report = await loadConfigFile(options.config);
  if (report.config === undefined || report.errors.length > 0) {
    // The same report `ferry config validate` prints; JSON goes to stdout for scripts, text is an error message.
    const text = formatReport(report, options.output);
    if (options.output === 'json') process.stdout.write(text);
    else process.stderr.write(text);
    process.exitCode = EXIT_FAILED;
    return;
  }
  process.stderr.write(formatIssues(report));
  const nodes = await loadNodesFile(options.nodes);
  const result = explain({ config: report.config, nodes, storageClass: options.storageClass ?? '' });
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
    .requiredOption('--config <file>', 'node-agent config: the raw JSON document, or a ConfigMap manifest (YAML or JSON)')
    .option('--nodes <file>', 'the nodes: what `kubectl get nodes -o yaml` (or -o json) prints, or a list of Node objects (required for now)')
    .option(
      '--storage-class <name>',
      'storage class that picks the entry: the backup PVC storage class for a backup, the target PVC storage class for a ' +
        'restore (default: none, which picks the first entry without storageClass)',
    )
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((options: ExplainOptions) => runExplain(options));
}
