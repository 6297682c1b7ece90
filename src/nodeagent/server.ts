import { loadConcurrencyForNode } from '../affinity/index.js';
import type { Node } from '../kube/models.js';
import type { NodeAgentConfig } from '../config/index.js';
import { DataMovementController, dataDownloadKind, dataUploadKind, SharedLimit } from '../controller/index.js';
import { CsiSnapshotExposer, RestoreExposer } from '../exposer/index.js';
import { createKubeClient, type KubeClient } from '../kube/client.js';
import type { DataDownload, DataUpload } from '../kube/crds.js';
import { podNamespace } from '../kube/namespace.js';
import { R } from '../kube/resources.js';
import { FerryError } from '../util/errors.js';
import type { Logger } from '../util/log.js';
import { loadNodeAgentConfig } from './config.js';
import { startMetricsServer } from './http.js';
import { NodeAgentMetrics } from './metrics.js';
import { reportLoadedConfig } from './report.js';

export interface NodeAgentOptions {
  /** `--node-agent-configmap`; none means no node constraints. */
  nodeAgentConfigMap?: string | undefined;
  /** `--namespace`; by default the pod's own (see `podNamespace`). */
  namespace?: string | undefined;
  /** `--datamover-name`: the `spec.datamover` value this node-agent handles. */
  dataMoverName: string;
  prepareTimeoutMs: number;
  resourceTimeoutMs: number;
  metricsAddress: string;
  kubeconfig?: string | undefined;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
}

export interface NodeAgent {
  readonly nodeName: string;
  readonly namespace: string;
  readonly config: NodeAgentConfig;
  readonly metricsPort: number;
  stop(): Promise<void>;
}

/** Velero's `kube.ValidatePriorityClass`: a missing class is a warning and is not used. */
async function checkedPriorityClass(client: KubeClient, name: string | undefined, logger: Logger): Promise<string | undefined> {
  if (name === undefined || name === '') return undefined;
  if ((await client.find(R.priorityClasses, { name })) !== undefined) return name;
  logger.warn({ priorityClassName: name }, 'priority class not found: data-mover pods get none');
  return undefined;
}

/**
 * Starts the node-agent of this node: reads the ConfigMap once, works out this node's loadConcurrency, serves
 * /metrics and /healthz, and runs the DataUpload and DataDownload controllers until stopped.
 */
export async function startNodeAgent(options: NodeAgentOptions): Promise<NodeAgent> {
  const { env = process.env, logger } = options;
  const nodeName = env.NODE_NAME ?? '';
  if (nodeName === '') {
    throw new FerryError('ConfigInvalid', 'NODE_NAME is not set: the node-agent must know which node it runs on', {
      hint: 'the node-agent DaemonSet sets it from the downward API (fieldRef spec.nodeName); outside a pod, export NODE_NAME=<node>',
    });
  }
  const namespace = podNamespace(options.namespace, env);
  const log = logger.child({ node: nodeName });
  const client = createKubeClient({ kubeconfig: options.kubeconfig });
  log.info({ namespace, dataMover: options.dataMoverName, configMap: options.nodeAgentConfigMap ?? null }, 'node-agent starting');

  const loaded = await loadNodeAgentConfig(client, namespace, options.nodeAgentConfigMap, log);
  const { config } = loaded;
  const loadAffinity = config.loadAffinity ?? [];
  log.info({ loadAffinity }, loadAffinity.length === 0 ? 'no loadAffinity: data-mover pods may run on any Linux node' : `Using customized loadAffinity (${loadAffinity.length} ${loadAffinity.length === 1 ? 'entry' : 'entries'})`);

  const node = await client.find<Node>(R.nodes, { name: nodeName });
  const concurrency = loadConcurrencyForNode(config.loadConcurrency, node, 1);
  log.info({ loadConcurrency: concurrency.number }, concurrency.reason);
  const prepareQueueLength = config.loadConcurrency?.prepareQueueLength ?? 0;
  // As Velero: 0 or less means data movements are prepared without a limit.
  const preparing = new SharedLimit(prepareQueueLength > 0 ? prepareQueueLength : Infinity);
  if (prepareQueueLength > 0) log.info({ prepareQueueLength }, 'at most this many data movements are prepared at once');

  const load = new SharedLimit(concurrency.number);
  const metrics = new NodeAgentMetrics(nodeName, load);
  const exposerOptions = {
    client,
    namespace,
    config,
    priorityClassName: await checkedPriorityClass(client, config.priorityClassName, log),
    resourceTimeoutMs: options.resourceTimeoutMs,
    logger: log,
  };
  const shared = { client, namespace, nodeName, dataMoverName: options.dataMoverName, prepareTimeoutMs: options.prepareTimeoutMs, load, preparing, metrics, logger: log };
  // Both kinds count against the same loadConcurrency (`load`) and the same prepare queue (`preparing`).
  const controllers = [
    new DataMovementController<DataUpload>({ ...shared, kind: dataUploadKind(new CsiSnapshotExposer(exposerOptions)) }),
    new DataMovementController<DataDownload>({ ...shared, kind: dataDownloadKind(new RestoreExposer(exposerOptions)) }),
  ];
  let healthy = false;
  const server = await startMetricsServer({ address: options.metricsAddress, registry: metrics.registry, healthy: () => healthy, logger: log });
  try {
    await Promise.all(controllers.map((c) => c.start()));
  } catch (err) {
    await Promise.all(controllers.map((c) => c.stop()));
    await server.close();
    throw err;
  }
  await reportLoadedConfig(client, { namespace, name: env.HOSTNAME, nodeName }, loaded, log);
  healthy = true;
  log.info({ metricsPort: server.port }, 'node-agent started');
  return {
    nodeName,
    namespace,
    config,
    metricsPort: server.port,
    async stop() {
      await Promise.all(controllers.map((c) => c.stop()));
      await server.close();
      client.close();
      log.info('node-agent stopped');
    },
  };
}
