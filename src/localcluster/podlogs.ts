/**
 * Where pod container logs live on disk: `<dir>/pods/<namespace>/<pod>/<container>.log`. The API server serves
 * these files as `pods/log`; the kubelets of the local cluster write them.
 */
import { join } from 'node:path';

export function podLogPath(dir: string, namespace: string, pod: string, container: string): string {
  return join(dir, 'pods', namespace, pod, `${container}.log`);
}
