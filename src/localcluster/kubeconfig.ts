/**
 * The kubeconfig `ferry local up` writes: one cluster, user and context named `ferry-local`. The server speaks
 * plain HTTP on 127.0.0.1, and `insecure-skip-tls-verify: true` is what makes @kubernetes/client-node accept an
 * `http://` server (kubectl accepts it too).
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { stringify } from 'yaml';

export const CONTEXT_NAME = 'ferry-local';

export function kubeconfigYaml(url: string, namespace = 'default'): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: CONTEXT_NAME, cluster: { server: url, 'insecure-skip-tls-verify': true } }],
    users: [{ name: CONTEXT_NAME, user: {} }],
    contexts: [{ name: CONTEXT_NAME, context: { cluster: CONTEXT_NAME, user: CONTEXT_NAME, namespace } }],
    'current-context': CONTEXT_NAME,
    preferences: {},
  });
}

/** Writes the kubeconfig atomically (readers never see half a file). */
export async function writeKubeconfig(path: string, url: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, kubeconfigYaml(url), { mode: 0o600 });
  await rename(tmp, path);
}
