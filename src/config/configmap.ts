/**
 * The node-agent ConfigMap as Velero's `nodeagent.GetConfigs` reads it: it must exist, its `data` must hold exactly
 * one key (whatever its name: `kubectl create cm X --from-file=foo.json` makes the key `foo.json`), and that value is
 * the JSON config. `binaryData` is not read. Messages keep Velero's wording and add what to do.
 */
import type { V1ConfigMap } from '@kubernetes/client-node';
import { errorMessage } from '../util/errors.js';
import { parseJson } from './json.js';
import { analyzeDocument } from './parse.js';
import { keyPath } from './path.js';
import type { ConfigReport } from './types.js';

export interface ConfigMapOptions {
  /** The ConfigMap's namespace, for messages and the commands they suggest. */
  namespace?: string;
}

/** The parts of a ConfigMap that hold the config; a `V1ConfigMap` from the API is one. */
export type ConfigMapData = Pick<V1ConfigMap, 'data' | 'binaryData'>;

/** Fetches a ConfigMap by name: `undefined` when it does not exist; throws on any other failure. */
export type ConfigMapGetter = (name: string) => Promise<ConfigMapData | undefined>;

function describeSource(name: string, namespace: string | undefined): string {
  return `ConfigMap ${namespace === undefined ? '' : `${namespace}/`}${name}`;
}

function unusable(source: string, message: string): ConfigReport {
  return { source, config: undefined, errors: [{ path: 'data', message }], warnings: [] };
}

export function parseConfigMap(cm: ConfigMapData | undefined, name: string, { namespace }: ConfigMapOptions = {}): ConfigReport {
  const source = describeSource(name, namespace);
  const create = `kubectl create cm ${name} -n ${namespace ?? '<namespace>'} --from-file=<config.json>`;
  if (cm === undefined) {
    const where = namespace === undefined ? '' : ` in namespace ${namespace}`;
    return unusable(source, `error to get node agent configs ${name}: ConfigMap ${name} not found${where}; create it with \`${create}\` or remove --node-agent-configmap from the node-agent`);
  }
  const data = cm.data ?? {};
  const keys = Object.keys(data);
  const binaryKeys = Object.keys(cm.binaryData ?? {});
  if (keys.length === 0) {
    const only = binaryKeys.length === 0 ? '' : ` (it has only binaryData ${binaryKeys.join(', ')}, which is not read)`;
    return unusable(source, `data is not available in config map ${name}${only}; recreate it with the JSON config as its only data key: \`${create}\``);
  }
  if (keys.length > 1) {
    return unusable(
      source,
      `more than one keys are found in ConfigMap ${name}'s data. only expect one (found ${keys.map((k) => JSON.stringify(k)).join(', ')}); keep the JSON config under a single key: \`${create}\``,
    );
  }
  const [key = ''] = keys;
  const report = analyzeDocument(parseJson(data[key] ?? ''), { source, rootPath: keyPath('data', key), prefix: `error to unmarshall configs from ${name}: ` });
  if (binaryKeys.length > 0) report.warnings.push({ path: 'binaryData', message: 'ignored: only data is read' });
  return report;
}

/** Gets the ConfigMap and parses it; a failed get is reported like Velero's `error to get node agent configs <name>`. */
export async function readConfigMap(name: string, get: ConfigMapGetter, options: ConfigMapOptions = {}): Promise<ConfigReport> {
  let cm: ConfigMapData | undefined;
  try {
    cm = await get(name);
  } catch (err) {
    return unusable(describeSource(name, options.namespace), `error to get node agent configs ${name}: ${errorMessage(err)}`);
  }
  return parseConfigMap(cm, name, options);
}
