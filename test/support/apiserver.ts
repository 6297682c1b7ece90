/**
 * One embedded API server per test file: a temp directory, the server on a free port, a kubeconfig file and a
 * client-node `KubeConfig` for it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { startApiServer, type ApiServer, type ApiServerOptions } from '../../src/localcluster/apiserver/server.js';
import { kubeconfigYaml } from '../../src/localcluster/kubeconfig.js';

export interface TestApiServer {
  server: ApiServer;
  dir: string;
  kubeconfigPath: string;
  kc: KubeConfig;
  close(): Promise<void>;
}

export async function startTestApiServer(options: Partial<ApiServerOptions> = {}): Promise<TestApiServer> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-apiserver-'));
  const server = await startApiServer({ dir, port: 0, ...options });
  const kubeconfigPath = join(dir, 'kubeconfig');
  await writeFile(kubeconfigPath, kubeconfigYaml(server.url));
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  return {
    server,
    dir,
    kubeconfigPath,
    kc,
    async close() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A client-node model instance built from JSON parts (later parts win). The models are plain data classes; building
 * real instances keeps lint's class-instance checks meaningful instead of disabling them.
 */
export function model<T extends object>(cls: new () => T, ...parts: object[]): T {
  return Object.assign(new cls(), ...parts) as T;
}
