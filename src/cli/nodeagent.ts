/**
 * `ferry node-agent server`: the node-agent the DaemonSet runs on every node. Runs until SIGTERM/SIGINT. The heavy
 * modules load only when the command runs, so `ferry --help` stays fast.
 */
import { Option, type Command } from 'commander';

interface ServerOptions {
  nodeAgentConfigmap?: string;
  namespace?: string;
  datamoverName: string;
  dataMoverPrepareTimeout: string;
  resourceTimeout: string;
  metricsAddress: string;
  kubeconfig?: string;
  logLevel: string;
  logFormat?: 'json' | 'text';
}

async function server(options: ServerOptions): Promise<void> {
  const [{ startNodeAgent }, { durationFlag }, { createLogger }] = await Promise.all([
    import('../nodeagent/index.js'),
    import('../kube/duration.js'),
    import('../util/log.js'),
  ]);
  const logger = createLogger({ level: options.logLevel, ...(options.logFormat === undefined ? {} : { format: options.logFormat }) });
  const agent = await startNodeAgent({
    nodeAgentConfigMap: options.nodeAgentConfigmap,
    namespace: options.namespace,
    dataMoverName: options.datamoverName,
    prepareTimeoutMs: durationFlag('--data-mover-prepare-timeout', options.dataMoverPrepareTimeout),
    resourceTimeoutMs: durationFlag('--resource-timeout', options.resourceTimeout),
    metricsAddress: options.metricsAddress,
    kubeconfig: options.kubeconfig,
    logger,
  });
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  logger.info({ signal }, 'stopping');
  await agent.stop();
}

export function registerNodeAgent(program: Command): void {
  const group = program.command('node-agent').description('The per-node agent that runs data movements (run by the ferry-node-agent DaemonSet)');
  group
    .command('server')
    .description(
      'Run the node-agent of this node (NODE_NAME): claim DataUploads whose spec.datamover is ours, place their data-mover ' +
        'pods on the nodes loadAffinity allows, and run them within this node\'s loadConcurrency. The ConfigMap is read once at ' +
        'start; an invalid one stops the node-agent.',
    )
    .option('--node-agent-configmap <name>', 'the node-agent ConfigMap (loadAffinity, loadConcurrency, …); none: no node constraints')
    .option('-n, --namespace <namespace>', 'namespace of the install (default: VELERO_NAMESPACE or POD_NAMESPACE, the service account\'s, else velero)')
    .option('--datamover-name <name>', 'handle DataUploads whose spec.datamover is this', 'ferry')
    .option('--data-mover-prepare-timeout <duration>', 'how long a data movement may take to get its data-mover pod running', '30m')
    .option('--resource-timeout <duration>', 'how long to wait for resources such as snapshot clones', '10m')
    .option('--metrics-address <host:port>', 'where /metrics and /healthz are served', ':8085')
    .option('--kubeconfig <file>', 'kubeconfig file (default: KUBECONFIG, ~/.kube/config, else the in-cluster service account)')
    .option('--log-level <level>', 'trace, debug, info, warn or error', 'info')
    .addOption(new Option('--log-format <format>', 'json or text (default: json unless stderr is a terminal)').choices(['json', 'text']))
    .action(async (_options: unknown, command: Command) => {
      await server(command.opts<ServerOptions>());
    });
}
