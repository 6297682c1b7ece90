/**
 * One local cluster in one directory: claims `<dir>`, starts the API server on 127.0.0.1, writes
 * `<dir>/kubeconfig` and the state file, and undoes all of it on `close()`. Part 2 adds the scheduler, kubelets,
 * CSI driver and object store here, each talking to the API server over HTTP like real components.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { FerryError } from '../util/errors.js';
import type { Logger } from '../util/log.js';
import { startApiServer, type ApiServer } from './apiserver/server.js';
import { writeKubeconfig } from './kubeconfig.js';
import { claimStateFile, releaseStateFile, writeState } from './statefile.js';

export interface LocalClusterOptions {
  /** Holds the kubeconfig, the state file and everything the cluster stores on disk. */
  dir: string;
  /** 0 or absent: any free port. */
  port?: number;
  logger?: Logger;
}

export interface LocalCluster {
  readonly dir: string;
  readonly url: string;
  readonly port: number;
  readonly kubeconfigPath: string;
  readonly apiServer: ApiServer;
  close(): Promise<void>;
}

export async function startLocalCluster({ dir, port = 0, logger }: LocalClusterOptions): Promise<LocalCluster> {
  const root = resolve(dir);
  await mkdir(root, { recursive: true });
  await claimStateFile(root, dir);
  let apiServer: ApiServer;
  try {
    apiServer = await startApiServer({ dir: root, port, ...(logger === undefined ? {} : { logger }) });
  } catch (err) {
    await releaseStateFile(root);
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new FerryError('Conflict', `port ${port} is in use`, { hint: 'pick another with --port (or leave it out to get a free one)', cause: err });
    }
    throw err;
  }
  const kubeconfigPath = join(root, 'kubeconfig');
  try {
    await writeKubeconfig(kubeconfigPath, apiServer.url);
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
    close() {
      closing ??= apiServer.close().then(() => releaseStateFile(root));
      return closing;
    },
  };
}
