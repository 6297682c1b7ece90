/**
 * Which namespace a Ferry process inside the cluster works in: the node-agent's and data-mover's own namespace,
 * as the DaemonSet passes it through the downward API.
 */
import { readFileSync } from 'node:fs';
import { containerPath } from '../util/containerpaths.js';

export const DEFAULT_NAMESPACE = 'velero';
export const SERVICE_ACCOUNT_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

/**
 * The flag when given; else `VELERO_NAMESPACE` or `POD_NAMESPACE` (set from `metadata.namespace`); else the service
 * account's namespace file; else `velero`.
 */
export function podNamespace(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (flag !== undefined && flag !== '') return flag;
  for (const name of ['VELERO_NAMESPACE', 'POD_NAMESPACE']) {
    const value = env[name];
    if (value !== undefined && value !== '') return value;
  }
  try {
    const fromFile = readFileSync(containerPath(SERVICE_ACCOUNT_NAMESPACE_FILE), 'utf8').trim();
    if (fromFile !== '') return fromFile;
  } catch {
    // Outside a pod there is no service account file.
  }
  return DEFAULT_NAMESPACE;
}
