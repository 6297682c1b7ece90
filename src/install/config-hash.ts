import { createHash } from 'node:crypto';

/** The DaemonSet pod template annotation whose change rolls the node-agents, so they read the new config. */
export const CONFIG_HASH_ANNOTATION = 'ferry.dev/config-hash';

/**
 * What each node-agent writes on its own pod once it has loaded its config: the hash of the ConfigMap data it read
 * (or {@link NO_CONFIG} when it runs without a ConfigMap), and the ConfigMap's name. The pod template's hash says
 * what was asked for; these say what each running process actually holds.
 */
export const LOADED_CONFIG_HASH_ANNOTATION = 'ferry.dev/loaded-config-hash';
export const LOADED_CONFIGMAP_ANNOTATION = 'ferry.dev/loaded-configmap';
export const NO_CONFIG = 'none';

/** Short and stable: only equality matters, and people compare it by eye in `ferry config get`. */
export function configHash(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 16);
}
