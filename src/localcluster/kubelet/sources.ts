/** Secrets and ConfigMaps as a kubelet reads them for env and volumes: decoded to text, `undefined` when absent. */
import type { CoreV1Api } from '@kubernetes/client-node';
import { ignoreNotFound } from './api.js';

export type Data = Readonly<Record<string, Buffer>>;

export interface ConfigSource {
  secret(namespace: string, name: string): Promise<Data | undefined>;
  configMap(namespace: string, name: string): Promise<Data | undefined>;
}

function decode(entries: Record<string, string> | undefined, encoding: BufferEncoding): Record<string, Buffer> {
  return Object.fromEntries(Object.entries(entries ?? {}).map(([k, v]) => [k, Buffer.from(v, encoding)]));
}

export function apiConfigSource(core: CoreV1Api): ConfigSource {
  return {
    async secret(namespace, name) {
      const s = await ignoreNotFound(core.readNamespacedSecret({ namespace, name }));
      return s === undefined ? undefined : decode(s.data, 'base64');
    },
    async configMap(namespace, name) {
      const cm = await ignoreNotFound(core.readNamespacedConfigMap({ namespace, name }));
      return cm === undefined ? undefined : { ...decode(cm.binaryData, 'base64'), ...decode(cm.data, 'utf8') };
    },
  };
}
