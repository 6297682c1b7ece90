/**
 * `ferry local up|down`: a Kubernetes API server on this machine that kubectl and Ferry use like a real cluster.
 * The localcluster module is loaded only when a command runs, so `ferry --help` stays fast.
 */
import { Option, type Command } from 'commander';
import { resolve } from 'node:path';
import { usageError } from '../util/errors.js';

const DEFAULT_DIR = '.ferry/local';
const DEFAULT_NODES = 3;

const TOPOLOGIES = ['hostname', 'zone', 'none'] as const;
type Topology = (typeof TOPOLOGIES)[number];

interface UpOptions {
  dir: string;
  port?: number;
  detach?: boolean;
  nodes?: number;
  nodesFile?: string;
  volumeTopology: Topology;
}

function parseNodeCount(value: string): number {
  const count = Number(value);
  if (!/^\d+$/.test(value) || count < 1) throw usageError(`--nodes must be a whole number of at least 1, got ${JSON.stringify(value)}`);
  return count;
}

/** The arguments that shape the cluster, passed on to the background server of `--detach`. */
function shapeArgs({ nodes, nodesFile, volumeTopology }: UpOptions): string[] {
  return [
    ...(nodes === undefined ? [] : ['--nodes', String(nodes)]),
    ...(nodesFile === undefined ? [] : ['--nodes-file', resolve(nodesFile)]),
    '--volume-topology',
    volumeTopology,
  ];
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

async function up(options: UpOptions): Promise<void> {
  const { dir, port, detach, nodes, nodesFile, volumeTopology } = options;
  if (nodes !== undefined && nodesFile !== undefined) throw usageError('--nodes and --nodes-file exclude each other; use one');
  const { startDetached, startLocalCluster } = await import('../localcluster/index.js');
  if (detach === true) {
    const entry = process.argv[1];
    if (entry === undefined) throw new Error('cannot tell how this ferry was started');
    const state = await startDetached({ dir, port, ferryCommand: [process.execPath, ...process.execArgv, entry], upArgs: shapeArgs(options) });
    process.stderr.write(`local cluster running at ${state.url} (pid ${state.pid}); stop it with ferry local down --dir ${dir}\n`);
    printExport(state.kubeconfig);
    return;
  }
  const { createLogger } = await import('../util/log.js');
  // Listen before starting: a signal during start-up (or right after the export line) still stops cleanly.
  const stopped = waitForSignal();
  const { nodesFromOptions } = await import('../localcluster/nodes/index.js');
  const nodeManifests = await nodesFromOptions(nodesFile === undefined ? { count: nodes ?? DEFAULT_NODES } : { file: nodesFile });
  const cluster = await startLocalCluster({
    dir,
    ...(port === undefined ? {} : { port }),
    logger: createLogger(),
    nodes: nodeManifests,
    runtime: { storage: { topology: volumeTopology } },
  });
  const names = cluster.runtime.nodeNames.join(', ');
  process.stderr.write(`local cluster running at ${cluster.url} (pid ${process.pid}) with nodes ${names}; press Ctrl-C to stop\n`);
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
  const group = program.command('local').description('Run a local Kubernetes cluster (API server, nodes, scheduler, kubelets, CSI storage, S3 store) that kubectl and Ferry use like a real one');
  group
    .command('up')
    .description(
      'Start a local cluster on 127.0.0.1, write <dir>/kubeconfig and print `export KUBECONFIG=...`. ' +
        'Runs in the foreground until Ctrl-C unless --detach is given.',
    )
    .addOption(dirOption())
    .option('--port <port>', 'port to listen on (default: any free port)', parsePort)
    .option('--detach', 'start in the background, return once the cluster is ready')
    .option('--nodes <count>', `how many nodes (node-1 … node-N) to run (default: ${DEFAULT_NODES})`, parseNodeCount)
    .option('--nodes-file <file>', 'Node manifests (YAML or JSON: labels, taints, allocatable, unschedulable) to run instead of --nodes')
    .addOption(
      new Option('--volume-topology <kind>', 'node affinity of provisioned volumes: by hostname, by zone, or none')
        .choices(TOPOLOGIES)
        .default('hostname'),
    )
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
