/**
 * The components that make the API server behave like a small real cluster — node agents (leases, conditions),
 * the scheduler, the DaemonSet controller, the hostpath CSI driver, the S3 object store and one kubelet per node —
 * each a client of the API server over HTTP. `ferry local up` starts all of them; tests pick the ones they need.
 * They stop in reverse order, kubelets first, so no process outlives the cluster.
 */
import type { KubeConfig, V1Node } from '@kubernetes/client-node';
import type { Logger } from '../util/log.js';
import { startDaemonSetController } from './daemonset/index.js';
import { startKubelet, type KubeletOptions } from './kubelet/index.js';
import { startNodes } from './nodes/index.js';
import { startObjectStore, type ObjectStore } from './objectstore/index.js';
import { startScheduler, type SchedulerOptions } from './scheduler/index.js';
import { startHostpathDriver, type Topology } from './storage/index.js';

type KubeletTuning = Pick<KubeletOptions, 'backoff' | 'retryMs' | 'shutdownGraceMs' | 'ferryImages'>;

export interface RuntimeOptions {
  /** The cluster directory (volumes, snapshots, pod files, object store data). */
  dir: string;
  /** The cluster's kubeconfig, whose cluster entry pods' own kubeconfigs copy. */
  kubeconfigPath: string;
  nodes: V1Node[];
  logger: Logger;
  heartbeatMs?: number;
  /** Each component is on unless set to false; an object tunes it. */
  scheduler?: boolean | Omit<SchedulerOptions, 'logger'>;
  daemonSets?: boolean;
  storage?: boolean | { topology: Topology };
  objectStore?: boolean;
  kubelets?: boolean | KubeletTuning;
}

export interface Runtime {
  readonly nodeNames: string[];
  /** `undefined` when started with `objectStore: false`. */
  readonly objectStore: ObjectStore | undefined;
  stop(): Promise<void>;
}

interface Stoppable {
  stop(): Promise<void>;
}

function tuning<T extends object>(value: boolean | T | undefined): T | undefined {
  if (value === false) return undefined;
  return value === true || value === undefined ? ({} as T) : value;
}

export async function startRuntime(kc: KubeConfig, options: RuntimeOptions): Promise<Runtime> {
  const { dir, kubeconfigPath, nodes, logger, heartbeatMs } = options;
  const started: Stoppable[] = [];
  const stop = async (): Promise<void> => {
    for (const component of started.splice(0).reverse()) await component.stop();
  };
  try {
    if (nodes.length > 0) started.push(await startNodes(kc, { nodes, logger, ...(heartbeatMs === undefined ? {} : { heartbeatMs }) }));
    const scheduler = tuning(options.scheduler);
    if (scheduler) started.push(await startScheduler(kc, { ...scheduler, logger }));
    if (options.daemonSets !== false) started.push(await startDaemonSetController(kc, { logger }));
    const storage = tuning(options.storage);
    if (storage) started.push(await startHostpathDriver(kc, { dir, logger, ...storage }));
    const objectStore = options.objectStore === false ? undefined : await startObjectStore(kc, { dir, logger });
    if (objectStore) started.push(objectStore);
    const kubelet = tuning(options.kubelets);
    const nodeNames = nodes.map((node) => node.metadata?.name ?? '');
    if (kubelet) {
      for (const nodeName of nodeNames) started.push(await startKubelet(kc, { ...kubelet, nodeName, dir, kubeconfigPath, logger }));
    }
    return { nodeNames, objectStore, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
