import { createHash } from 'node:crypto';

/** The DaemonSet pod template annotation whose change rolls the node-agents, so they read the new config. */
export const CONFIG_HASH_ANNOTATION = 'ferry.dev/config-hash';

/** Short and stable: only equality matters, and people compare it by eye in `ferry config get`. */
export function configHash(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 16);
}
