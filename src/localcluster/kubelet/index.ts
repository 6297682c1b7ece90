/**
 * @module localcluster/kubelet
 * The local cluster's kubelet, one per node, a client of the API server like a real one. Its nouns:
 * - **pod worker**: one pod bound to this node (`spec.nodeName`), from volume setup to removal (pod.ts);
 * - **container runner**: one container's life: create, start, exit, restart with back-off, stop (container.ts);
 * - **container process**: a container of Ferry's image runs as a local process of this checkout's CLI, in its own
 *   process group, logging to the file the API server serves as `pods/log` (process.ts, command.ts);
 * - **container root**: the directory the process sees as `/` through `containerPath` (`FERRY_CONTAINER_ROOT`),
 *   with a symlink per volume mount (rootfs.ts, volumes.ts);
 * - **pod credentials**: a token for the pod's ServiceAccount (a TokenRequest bound to the pod) in its
 *   service-account volume, and a kubeconfig using it that containers get in `KUBECONFIG` (volumes.ts, pod.ts);
 * - **orphan guard**: a watchdog that kills every container process if this process dies (reaper.ts).
 * Containers of other images run nothing and count as running, so workload pods can hold claims.
 * See docs/local-cluster-runtime.md.
 */
import { CoreV1Api, KubernetesObjectApi, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { KubeClient } from '../../kube/client.js';
import { Informer, objectKey } from '../../kube/informer.js';
import { R } from '../../kube/resources.js';
import type { Logger } from '../../util/log.js';
import { currentCluster } from '../kubeconfig.js';
import type { Backoff } from './container.js';
import { eventRecorder } from './events.js';
import { PodWorker, type KubeletContext } from './pod.js';
import { apiConfigSource } from './sources.js';

export interface KubeletOptions {
  nodeName: string;
  /** The cluster directory: pod files under `<dir>/pods`, volumes under `<dir>/volumes`. */
  dir: string;
  /**
   * The cluster's kubeconfig. Each pod's containers get a kubeconfig of their own in `KUBECONFIG`, with this one's
   * cluster entry and the pod's ServiceAccount token as its user.
   */
  kubeconfigPath: string;
  /** Images run as Ferry besides `DEFAULT_FERRY_IMAGE` and any `…/ferry` repository. */
  ferryImages?: string[];
  logger: Logger;
  /** Restart back-off; the kubelet's 10 s doubling to 5 min by default. */
  backoff?: Backoff;
  /** How often waiting volumes, Secrets and ConfigMaps are retried. Default 1 s. */
  retryMs?: number;
  /** stop() waits at most this long for processes to exit after SIGTERM. Default 5 s. */
  shutdownGraceMs?: number;
}

export interface Kubelet {
  /** Stops every container process of this node (SIGTERM, then SIGKILL) and the watch. */
  stop(): Promise<void>;
}

const KUBELET_BACKOFF: Backoff = { initialMs: 10_000, maxMs: 300_000 };

export async function startKubelet(kc: KubeConfig, opts: KubeletOptions): Promise<Kubelet> {
  const { nodeName, dir, kubeconfigPath, ferryImages = [], logger, backoff = KUBELET_BACKOFF, retryMs = 1000, shutdownGraceMs = 5000 } = opts;
  const core = kc.makeApiClient(CoreV1Api);
  const log = logger.child({ component: 'kubelet', node: nodeName });
  const ctx: KubeletContext = {
    core,
    source: apiConfigSource(core),
    events: eventRecorder(KubernetesObjectApi.makeApiClient(kc), { component: 'kubelet', host: nodeName, logger: log }),
    logger: log,
    dir,
    nodeName,
    cluster: await currentCluster(kubeconfigPath),
    ferryImages,
    backoff,
    retryMs,
    shutdownGraceMs,
  };
  const workers = new Map<string, PodWorker>();
  let stopped = false;

  const start = (key: string, pod: V1Pod): void => {
    const worker = new PodWorker(ctx, pod);
    workers.set(key, worker);
    void worker.done.then(() => {
      if (workers.get(key) !== worker) return;
      workers.delete(key);
      // A pod of the same name created while the old one was terminating.
      const next = informer.get(pod.metadata?.name ?? '', pod.metadata?.namespace);
      if (next !== undefined && next.metadata?.uid !== worker.uid && !stopped) start(key, next);
    });
  };

  const client = new KubeClient(kc);
  const informer = new Informer<V1Pod>(client, {
    resource: R.pods,
    fieldSelector: `spec.nodeName=${nodeName}`,
    logger: log,
    onEvent(type, pod) {
      if (stopped) return;
      const key = objectKey(pod);
      const worker = workers.get(key);
      if (worker === undefined) {
        if (type !== 'deleted') start(key, pod);
      } else if (worker.uid !== pod.metadata?.uid) {
        worker.removed();
      } else if (type === 'deleted') {
        worker.removed();
      } else {
        worker.update(pod);
      }
    },
  }).start();
  await informer.synced;
  log.info('kubelet started');

  return {
    async stop() {
      if (stopped) return;
      stopped = true;
      await informer.stop();
      client.close();
      await Promise.all([...workers.values()].map((w) => w.shutdown()));
      workers.clear();
    },
  };
}
