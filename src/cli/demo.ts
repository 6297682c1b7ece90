/**
 * `ferry demo`: the whole story on a local cluster (see src/demo), then the cluster stays up to explore until
 * Ctrl-C — or, with --exit (implied without a terminal on stdin or with CI=true), the process ends with the story.
 */
import type { Command } from 'commander';
import type { LocalCluster } from '../localcluster/index.js';
import { DEFAULT_SIZE, parseSize } from '../demo/size.js';
import { errorMessage, FerryError, usageError } from '../util/errors.js';

const DEFAULT_DIR = '.ferry/demo';

interface DemoFlags {
  size: string;
  dir: string;
  exit?: boolean;
  port?: number;
  verbose?: boolean;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw usageError(`--port must be a number from 0 to 65535, got ${JSON.stringify(value)}`);
  return port;
}

/** Why the demo will not stay up, or `undefined` when it will. */
function exitReason(flags: DemoFlags): string | undefined {
  if (flags.exit === true) return '--exit';
  if (process.env.CI === 'true') return 'CI=true';
  if (!process.stdin.isTTY) return 'stdin is not a terminal';
  return undefined;
}

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

const TRY = [
  'kubectl get nodes -L beta.kubernetes.io/instance-type,xxx/critial-workload',
  'kubectl get pods -A -o wide',
  'kubectl get datauploads,datadownloads -n velero',
  'npx ferry affinity explain --storage-class ferry-hostpath',
  'npx ferry backup get && npx ferry restore get',
  'npx ferry backup create again --pvc demo/data --wait',
];

function explore(cluster: LocalCluster, dir: string, failed: boolean): void {
  out(failed ? '\nThe cluster stays up so you can look at what failed. In another terminal:' : '\nThe cluster keeps running. In another terminal, try:');
  out(`  export KUBECONFIG=${cluster.kubeconfigPath}`);
  for (const command of failed ? TRY.slice(1, 3) : TRY) out(`  ${command}`);
  out(`Press Ctrl-C to stop the cluster (its files stay in ${dir} until the next demo).`);
}

function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((done) => {
    if (signal.aborted) done();
    else signal.addEventListener('abort', () => {
      done();
    }, { once: true });
  });
}

async function run(flags: DemoFlags): Promise<void> {
  const bytes = parseSize(flags.size);
  const reason = exitReason(flags);
  const { runDemo } = await import('../demo/index.js');
  const controller = new AbortController();
  let cluster: LocalCluster | undefined;
  let interrupted: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interrupted === undefined) process.stderr.write(`\n${signal === 'SIGPIPE' ? 'SIGPIPE (its output was closed)' : signal}: stopping…\n`);
    interrupted = signal;
    controller.abort();
  };
  // Listen before starting: a signal during start-up still stops everything.
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGPIPE', onSignal);
  try {
    out(reason === undefined ? 'ferry demo: the cluster stays up when the story ends (--exit to stop it then)' : `ferry demo: will stop the cluster and exit when the story ends (${reason})`);
    const started = Date.now();
    try {
      await runDemo({ dir: flags.dir, port: flags.port, bytes, verbose: flags.verbose === true, out, signal: controller.signal, onCluster: (c) => (cluster = c) });
    } catch (err) {
      if (interrupted !== undefined) throw new FerryError('Canceled', `interrupted by ${interrupted}`, { cause: err });
      if (reason !== undefined || cluster === undefined) throw err;
      process.stderr.write(`error: ${errorMessage(err)}\n`);
      explore(cluster, flags.dir, true);
      await untilAborted(controller.signal);
      throw err;
    }
    out(`\nThe demo completed every step in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    if (reason !== undefined || cluster === undefined) return;
    explore(cluster, flags.dir, false);
    await untilAborted(controller.signal);
  } finally {
    if (cluster !== undefined) {
      process.stderr.write('stopping the local cluster…\n');
      await cluster.close();
      process.stderr.write('stopped: no process of the demo is left running\n');
    }
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGPIPE', onSignal);
  }
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .summary('Watch Ferry work: back up and restore a volume on a local cluster, on the nodes the seed config allows (npm start)')
    .description(
      'Runs the whole story on a local cluster in --dir (reset first), each step numbered and timed: ' +
        '1. five nodes like the seed document\'s (node-1..node-5; Standard_B4ms on node-1, node-2, node-4; node-2 labelled xxx/critial-workload); ' +
        '2. the seed\'s sample ConfigMap velero/node-agent-config and `ferry install --node-agent-configmap=node-agent-config`; ' +
        '3. PVC demo/data filled with --size of generated data (text, random, duplicates, directories) and pod demo/app on node-2; ' +
        '4. a data-movement backup (DataUpload), showing which nodes may run the data-mover pod and why, and where it ran; ' +
        '5. the pod and PVC deleted; 6. a restore (DataDownload) verified byte for byte against checksums taken before the backup; ' +
        '7. a summary table (nodes eligible, node used, bytes, time, throughput, dedup and compression ratios). ' +
        'Then the cluster stays up with KUBECONFIG printed until Ctrl-C, unless --exit is given, stdin is not a terminal or CI=true: ' +
        'then it stops and exits 0, or 1 naming the step that failed.',
    )
    .option('--size <size>', 'how much data the PVC holds, e.g. 64MiB, 1GiB (1MiB to 8GiB)', DEFAULT_SIZE)
    .option('--dir <dir>', 'directory of the demo\'s local cluster (emptied at start)', DEFAULT_DIR)
    .option('--exit', 'stop the cluster and exit when the story ends (the default without a terminal on stdin, or with CI=true)')
    .option('--port <port>', 'port of the local API server (default: any free port)', parsePort)
    .option('-v, --verbose', 'show the local cluster\'s own logs: components starting and every Event they record (scheduling, containers, volumes, snapshots); pod logs are under <dir>/pods')
    .action(async (_options: unknown, command: Command) => {
      await run(command.opts<DemoFlags>());
    });
}
