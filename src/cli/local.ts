/**
 * `ferry local up|down`: a Kubernetes API server on this machine that kubectl and Ferry use like a real cluster.
 * The localcluster module is loaded only when a command runs, so `ferry --help` stays fast.
 */
import { Option, type Command } from 'commander';
import { usageError } from '../util/errors.js';

const DEFAULT_DIR = '.ferry/local';

interface UpOptions {
  dir: string;
  port?: number;
  detach?: boolean;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw usageError(`--port must be a number from 0 to 65535, got ${JSON.stringify(value)}`);
  return port;
}

function dirOption(): Option {
  return new Option('--dir <dir>', 'directory that holds the cluster (kubeconfig, state, logs)').default(DEFAULT_DIR);
}

function printExport(kubeconfig: string): void {
  process.stdout.write(`export KUBECONFIG=${kubeconfig}\n`);
}

async function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const done = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve(signal);
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}

async function up({ dir, port, detach }: UpOptions): Promise<void> {
  const { startDetached, startLocalCluster } = await import('../localcluster/index.js');
  if (detach === true) {
    const entry = process.argv[1];
    if (entry === undefined) throw new Error('cannot tell how this ferry was started');
    const state = await startDetached({ dir, port, ferryCommand: [process.execPath, ...process.execArgv, entry] });
    process.stderr.write(`local cluster running at ${state.url} (pid ${state.pid}); stop it with ferry local down --dir ${dir}\n`);
    printExport(state.kubeconfig);
    return;
  }
  const { createLogger } = await import('../util/log.js');
  // Listen before starting: a signal during start-up (or right after the export line) still stops cleanly.
  const stopped = waitForSignal();
  const cluster = await startLocalCluster({ dir, ...(port === undefined ? {} : { port }), logger: createLogger() });
  process.stderr.write(`local cluster running at ${cluster.url} (pid ${process.pid}); press Ctrl-C to stop\n`);
  printExport(cluster.kubeconfigPath);
  const signal = await stopped;
  process.stderr.write(`${signal}: stopping the local cluster\n`);
  await cluster.close();
}

async function down({ dir }: { dir: string }): Promise<void> {
  const { stopCluster } = await import('../localcluster/index.js');
  const pid = await stopCluster(dir);
  process.stderr.write(`stopped the local cluster in ${dir} (pid ${pid})\n`);
}

export function registerLocal(program: Command): void {
  const group = program.command('local').description('Run a local Kubernetes API server that kubectl and Ferry use like a real cluster');
  group
    .command('up')
    .description(
      'Start a local cluster on 127.0.0.1, write <dir>/kubeconfig and print `export KUBECONFIG=...`. ' +
        'Runs in the foreground until Ctrl-C unless --detach is given.',
    )
    .addOption(dirOption())
    .option('--port <port>', 'port to listen on (default: any free port)', parsePort)
    .option('--detach', 'start in the background, return once the server is ready')
    .action(async (options: UpOptions) => {
      await up(options);
    });
  group
    .command('down')
    .description('Stop the local cluster running in <dir>')
    .addOption(dirOption())
    .action(async (options: { dir: string }) => {
      await down(options);
    });
}
