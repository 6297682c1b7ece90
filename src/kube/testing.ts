/**
 * Test helpers: a real (embedded) Kubernetes API server on 127.0.0.1 and a client for it, with Velero's CRDs
 * installed and the `velero` namespace created, so API-level tests run against real semantics (resourceVersions,
 * conflicts, watches, finalizers) in a fraction of a second.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { startApiServer } from '../localcluster/apiserver/server.js';
import { kubeconfigYaml } from '../localcluster/kubeconfig.js';
import { KubeClient } from './client.js';
import { veleroCrds } from './crds.js';
import { R } from './resources.js';
import { pollUntil } from './wait.js';

export interface TestApiServer {
  client: KubeClient;
  url: string;
  dir: string;
  /** A kubeconfig file for it, for processes (`KUBECONFIG`). */
  kubeconfigPath: string;
  close(): Promise<void>;
}

export async function startTestApiServer({ namespaces = ['velero'], crds = true }: { namespaces?: string[]; crds?: boolean } = {}): Promise<TestApiServer> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-kube-test-'));
  const server = await startApiServer({ dir, port: 0 });
  const kubeconfigPath = join(dir, 'kubeconfig');
  await writeFile(kubeconfigPath, kubeconfigYaml(server.url));
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const client = new KubeClient(kc);
  const closeAll = async (): Promise<void> => {
    client.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  };
  for (const name of namespaces) await client.create(R.namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  if (!crds) return { client, url: server.url, dir, kubeconfigPath, close: closeAll };
  for (const crd of veleroCrds()) await client.create(R.customResourceDefinitions, undefined, crd);
  // CRDs are served a moment after they are created.
  const served = async (): Promise<true | undefined> => {
    try {
      await client.list(R.dataUploads, namespaces[0]);
      return true;
    } catch {
      return undefined;
    }
  };
  await pollUntil(served, { timeoutMs: 5000, intervalMs: 50, what: 'the DataUpload CRD to be served' });
  return { client, url: server.url, dir, kubeconfigPath, close: closeAll };
}
