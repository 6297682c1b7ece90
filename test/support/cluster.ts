/**
 * A local cluster for end-to-end tests, one per test file: the embedded API server (./apiserver.ts) plus the
 * components a test asks for, started in-process as `ferry local up` starts them, each a client of the server
 * over HTTP. Components stop before the server. `FERRY_TEST_LOG=debug` shows their logs.
 */
import { AppsV1Api, CoreV1Api, KubernetesObjectApi, type KubeConfig } from '@kubernetes/client-node';
import type { Node } from '../../src/kube/models.js';
import { startDaemonSetController } from '../../src/localcluster/daemonset/index.js';
import { startKubelet } from '../../src/localcluster/kubelet/index.js';
import { startObjectStore, type ObjectStore } from '../../src/localcluster/objectstore/index.js';
import { startHostpathDriver, type Topology } from '../../src/localcluster/storage/index.js';
import { nodesFromOptions, startNodes, withDefaults } from '../../src/localcluster/nodes/index.js';
import { startScheduler, type SchedulerOptions } from '../../src/localcluster/scheduler/index.js';
import { createLogger, type Logger } from '../../src/util/log.js';
import { startTestApiServer, type TestApiServer } from './apiserver.js';

export interface TestClusterOptions {
  /** Nodes to register and keep alive: a count (`node-1` … `node-N`) or Node manifests (defaults filled in). None by default. */
  nodes?: number | Node[];
  /** Lease renewal period of the nodes; default 10 s. */
  heartbeatMs?: number;
  /** Start the scheduler; an object sets its options (e.g. shorter backoff). */
  scheduler?: boolean | Omit<SchedulerOptions, 'logger'>;
  daemonSets?: boolean;
  /** One kubelet per node: pods of other images than Ferry's become Running and Ready, deletions complete. */
  kubelets?: boolean;
  /** The hostpath CSI driver (provisioning, binding, snapshots); an object picks the PV topology. */
  storage?: boolean | { topology: Topology };
  /** The S3 object store, recorded in namespace velero. */
  objectStore?: boolean;
}

export interface TestCluster {
  api: TestApiServer;
  kc: KubeConfig;
  kubeconfigPath: string;
  core: CoreV1Api;
  apps: AppsV1Api;
  /** For creating plain-JSON manifests without client-node model classes. */
  objects: KubernetesObjectApi;
  nodeNames: string[];
  logger: Logger;
  /** Present when started with `objectStore: true`. */
  objectStore: ObjectStore | undefined;
  stop(): Promise<void>;
}

interface Stoppable {
  stop(): Promise<void>;
}

export async function startTestCluster(options: TestClusterOptions = {}): Promise<TestCluster> {
  const { nodes, heartbeatMs, scheduler, daemonSets = false, kubelets = false, storage = false, objectStore = false } = options;
  const logger = createLogger({ level: process.env.FERRY_TEST_LOG ?? 'silent' });
  const api = await startTestApiServer();
  const { kc } = api;
  const components: Stoppable[] = [];
  const stop = async (): Promise<void> => {
    for (const c of components.reverse()) await c.stop();
    await api.close();
  };
  try {
    const manifests = typeof nodes === 'number' ? await nodesFromOptions({ count: nodes }) : (nodes ?? []).map(withDefaults);
    const nodeNames = manifests.map((n) => n.metadata?.name ?? '');
    if (manifests.length > 0) components.push(await startNodes(kc, { nodes: manifests, logger, ...(heartbeatMs === undefined ? {} : { heartbeatMs }) }));
    if (scheduler !== undefined && scheduler !== false) components.push(await startScheduler(kc, { ...(scheduler === true ? {} : scheduler), logger }));
    if (daemonSets) components.push(await startDaemonSetController(kc, { logger }));
    if (storage !== false) components.push(await startHostpathDriver(kc, { dir: api.dir, logger, ...(storage === true ? {} : storage) }));
    const store = objectStore ? await startObjectStore(kc, { dir: api.dir, logger }) : undefined;
    if (store !== undefined) components.push(store);
    if (kubelets) {
      for (const nodeName of nodeNames) {
        components.push(await startKubelet(kc, { nodeName, dir: api.dir, kubeconfigPath: api.kubeconfigPath, logger, retryMs: 200 }));
      }
    }
    return {
      api,
      kc,
      kubeconfigPath: api.kubeconfigPath,
      core: kc.makeApiClient(CoreV1Api),
      apps: kc.makeApiClient(AppsV1Api),
      objects: KubernetesObjectApi.makeApiClient(kc),
      nodeNames,
      logger,
      objectStore: store,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
