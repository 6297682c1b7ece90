/**
 * Kubeconfigs for the local cluster. The one `ferry local up` writes has one cluster, user and context named
 * `ferry-local`, and no credentials: requests without any act as the cluster's administrator. Each pod gets its own,
 * with the cluster entry of that one and the pod's ServiceAccount token as its user. The server speaks plain HTTP on
 * 127.0.0.1, and `insecure-skip-tls-verify: true` is what makes @kubernetes/client-node accept an `http://` server
 * (kubectl accepts it too).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parse, stringify } from 'yaml';

export const CONTEXT_NAME = 'ferry-local';

function config(cluster: unknown, user: Record<string, string>, namespace: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: CONTEXT_NAME, cluster }],
    users: [{ name: CONTEXT_NAME, user }],
    contexts: [{ name: CONTEXT_NAME, context: { cluster: CONTEXT_NAME, user: CONTEXT_NAME, namespace } }],
    'current-context': CONTEXT_NAME,
    preferences: {},
  });
}

export function kubeconfigYaml(url: string, namespace = 'default'): string {
  return config({ server: url, 'insecure-skip-tls-verify': true }, {}, namespace);
}

/** Writes atomically (readers never see half a file), readable by its owner only. */
async function writePrivate(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode: 0o600 });
  await rename(tmp, path);
}

export async function writeKubeconfig(path: string, url: string): Promise<void> {
  await writePrivate(path, kubeconfigYaml(url));
}

interface Named {
  name?: unknown;
  cluster?: unknown;
  context?: { cluster?: unknown };
}

/** The cluster entry (server, TLS settings) of a kubeconfig's current context. */
export async function currentCluster(kubeconfigPath: string): Promise<unknown> {
  const doc = parse(await readFile(kubeconfigPath, 'utf8')) as { 'current-context'?: unknown; contexts?: Named[]; clusters?: Named[] } | null;
  const context = doc?.contexts?.find((c) => c.name === doc['current-context'])?.context;
  const cluster = doc?.clusters?.find((c) => c.name === context?.cluster)?.cluster;
  if (cluster === undefined) throw new Error(`${kubeconfigPath} has no cluster for its current context`);
  return cluster;
}

/**
 * A pod's kubeconfig: `cluster` (see {@link currentCluster}), the pod's token, the pod's namespace. The token is
 * written inline: kubectl reads `tokenFile`, client-node only `token-file`.
 */
export async function writePodKubeconfig(path: string, cluster: unknown, token: string, namespace: string): Promise<void> {
  await writePrivate(path, config(cluster, { token }, namespace));
}
