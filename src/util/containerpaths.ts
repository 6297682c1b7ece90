/**
 * @module containerpaths
 * In-container paths for Ferry processes that the local cluster's kubelet runs as plain local processes. Such a
 * process cannot see `/data` or `/dev/termination-log`; the kubelet builds a **container root** (a directory whose
 * entries are symlinks to the volumes mounted at those paths) and names it in `FERRY_CONTAINER_ROOT`. Code that opens
 * a path from the pod spec (a volume path, the termination log, a mounted Secret) passes it through `containerPath`
 * once, at the boundary. In a real container the variable is unset and every path is left alone.
 * See docs/local-cluster-runtime.md.
 */
import { isAbsolute, join } from 'node:path';

/** The environment variable holding the container root of a process run by the local kubelet. */
export const CONTAINER_ROOT_ENV = 'FERRY_CONTAINER_ROOT';

/**
 * Where an in-container path is on this machine: `<root>/<p>` for an absolute `p` when `FERRY_CONTAINER_ROOT` is
 * set, `p` itself otherwise. Relative paths stay relative: the local kubelet starts processes in the container's
 * working directory under the root. Not idempotent: map a path once.
 */
export function containerPath(p: string): string {
  const root = process.env[CONTAINER_ROOT_ENV];
  if (root === undefined || root === '' || !isAbsolute(p)) return p;
  return join(root, p);
}
