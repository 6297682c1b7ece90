/**
 * One local cluster in one directory: claims `<dir>`, starts the API server on 127.0.0.1, writes
 * `<dir>/kubeconfig` and the state file, starts the runtime (nodes, scheduler, DaemonSets, kubelets, CSI driver,
 * object store: see runtime.ts), and undoes all of it on `close()`.
 */
import { mkdir } from 'node:fs/promises';
import { KubeConfig, type V1Node } from '@kubernetes/client-node';
import { join, resolve } from 'node:path';
import { FerryError } from '../util/errors.js';
import { createLogger, type Logger } from '../util/log.js';
import { startApiServer, type ApiServer } from './apiserver/server.js';
import { writeKubeconfig } from './kubeconfig.js';
import { startRuntime, type Runtime, type RuntimeOptions } from './runtime.js';
import { claimStateFile, releaseStateFile, writeState } from './statefile.js';

export interface LocalClusterOptions {
  /** Holds the kubeconfig, the state file and everything the cluster stores on disk. */
  dir: string;
  /** 0 or absent: any free port. */
  port?: number;
  logger?: Logger;
  /** The nodes to run; none gives a bare API server. */
  nodes?: V1Node[];
  /** Which runtime components run (all by default) and how. */
  runtime?: Omit<RuntimeOptions, 'dir' | 'kubeconfigPath' | 'nodes' | 'logger'>;
}

export interface LocalCluster {
  readonly dir: string;
  readonly url: string;
  readonly port: number;
  readonly kubeconfigPath: string;
  readonly apiServer: ApiServer;
  readonly runtime: Runtime;
  close(): Promise<void>;
}

export async function startLocalCluster({ dir, port = 0, logger = createLogger({ level: 'silent' }), nodes = [], runtime: runtimeOptions = {} }: LocalClusterOptions): Promise<LocalCluster> {
  const root = resolve(dir);
  await mkdir(root, { recursive: true });
  await claimStateFile(root, dir);
  let apiServer: ApiServer;
  try {
    apiServer = await startApiServer({ dir: root, port, logger });
  } catch (err) {
    await releaseStateFile(root);
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new FerryError('Conflict', `port ${port} is in use`, { hint: 'pick another with --port (or leave it out to get a free one)', cause: err });
    }
    throw err;
  }
  const kubeconfigPath = join(root, 'kubeconfig');
  let runtime: Runtime;
  try {
    await writeKubeconfig(kubeconfigPath, apiServer.url);
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfigPath);
    runtime = await startRuntime(kc, { ...runtimeOptions, dir: root, kubeconfigPath, nodes, logger });
    // The state file says "ready" only once every component runs, so `--detach` returns a usable cluster.
    await writeState(root, { pid: process.pid, url: apiServer.url, port: apiServer.port, kubeconfig: kubeconfigPath, startedAt: new Date().toISOString() });
  } catch (err) {
    await apiServer.close();
    await releaseStateFile(root);
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    dir: root,
    url: apiServer.url,
    port: apiServer.port,
    kubeconfigPath,
    apiServer,
    runtime,
    close() {
      closing ??= runtime
        .stop()
        .then(() => apiServer.close())
        .then(() => releaseStateFile(root));
      return closing;
    },
  };
}
