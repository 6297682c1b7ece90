/**
 * `ferry config …`: the node-agent ConfigMap from the command line. `validate` checks a file offline; the group is
 * where `apply` and `get` join it. The config module is loaded only when a command runs, so `ferry --help` stays fast.
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

export function registerConfig(program: Command): void {
  const group = program.command('config').description('Check the node-agent ConfigMap (loadAffinity, loadConcurrency, podResources, …)');
  addValidate(group);
}
