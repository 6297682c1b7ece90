import { LOADED_CONFIG_HASH_ANNOTATION, LOADED_CONFIGMAP_ANNOTATION } from '../install/config-hash.js';
import type { KubeClient } from '../kube/client.js';
import type { Pod } from '../kube/models.js';
import { R } from '../kube/resources.js';
import { errorMessage } from '../util/errors.js';
import type { Logger } from '../util/log.js';
import type { LoadedConfig } from './config.js';

export interface OwnPod {
  namespace: string;
  /** The pod's name: a container's hostname is its pod's name (the DaemonSet does not use the host network). */
  name: string | undefined;
  nodeName: string;
}

/**
 * Writes the loaded config's hash and ConfigMap on the node-agent's own pod, for `ferry config get`: the ConfigMap is
 * read only at start, so only the process itself knows which version it holds. Best effort: a node-agent that cannot
 * say (outside a pod, or without the `patch` right on pods) still runs, and `config get` shows it as unknown.
 */
export async function reportLoadedConfig(client: KubeClient, pod: OwnPod, loaded: LoadedConfig, logger: Logger): Promise<void> {
  const { namespace, name, nodeName } = pod;
  const why = 'ferry config get will show this node-agent\'s config as unknown';
  try {
    const found = name === undefined || name === '' ? undefined : await client.find<Pod>(R.pods, { namespace, name });
    if (found?.spec?.nodeName !== nodeName) {
      logger.warn({ pod: name ?? null }, `not running in a node-agent pod of node ${nodeName} (HOSTNAME names none): ${why}`);
      return;
    }
    const annotations = { [LOADED_CONFIG_HASH_ANNOTATION]: loaded.hash, [LOADED_CONFIGMAP_ANNOTATION]: loaded.configMap ?? null };
    await client.patch(R.pods, { namespace, name }, { metadata: { annotations } });
    logger.info({ pod: name, configHash: loaded.hash }, 'loaded config reported on the pod');
  } catch (err) {
    logger.warn({ pod: name, err: errorMessage(err) }, `could not report the loaded config on the pod: ${why}`);
  }
}
