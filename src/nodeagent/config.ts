import { formatIssues, readConfigMap, type ConfigIssue, type ConfigMapData, type NodeAgentConfig } from '../config/index.js';
import { configHash, NO_CONFIG } from '../install/config-hash.js';
import type { KubeClient } from '../kube/client.js';
import type { ConfigMap } from '../kube/models.js';
import { R } from '../kube/resources.js';
import { FerryError } from '../util/errors.js';
import type { Logger } from '../util/log.js';

/** The config a node-agent runs with, and where it came from (what it reports on its pod). */
export interface LoadedConfig {
  config: NodeAgentConfig;
  /** The ConfigMap read, if any. */
  configMap: string | undefined;
  /** `configHash` of the ConfigMap's data value, as `ferry config apply` and `config get` compute it; `none` without one. */
  hash: string;
}

/** `path: message`, except for problems with the ConfigMap itself (`data`), whose message says it all. */
function located({ path, message }: ConfigIssue): string {
  return path === 'data' || path === '$' ? message : `${path}: ${message}`;
}

/**
 * The node-agent ConfigMap, read once at start as Velero v1.17+ does: a missing ConfigMap, no data, several keys,
 * bad JSON or validation errors stop the node-agent (the config module's messages say what to fix); warnings are
 * logged. No name: no constraints.
 */
export async function loadNodeAgentConfig(client: KubeClient, namespace: string, name: string | undefined, logger: Logger): Promise<LoadedConfig> {
  if (name === undefined || name === '') {
    logger.info('No node-agent configMap is specified: data-mover pods only carry the OS requirement');
    return { config: {}, configMap: undefined, hash: NO_CONFIG };
  }
  // The very object parsed is the one hashed, so the reported hash cannot describe a later edit.
  let read: ConfigMap | undefined;
  const report = await readConfigMap(name, async (n): Promise<ConfigMapData | undefined> => (read = await client.find<ConfigMap>(R.configMaps, { namespace, name: n })), { namespace });
  for (const { path, message } of report.warnings) logger.warn({ configMap: `${namespace}/${name}`, path }, message);
  const [value] = Object.values(read?.data ?? {});
  if (report.errors.length > 0 || report.config === undefined || value === undefined) {
    for (const { path, message } of report.errors) logger.error({ configMap: `${namespace}/${name}`, path }, message);
    const [only] = report.errors;
    const what = report.errors.length === 1 && only !== undefined ? located(only) : `\n${formatIssues({ ...report, warnings: [] }).trimEnd()}`;
    throw new FerryError('ConfigInvalid', `error getting node agent configs from configMap ${name}: ${what}`, {
      hint: `fix the ConfigMap (\`kubectl get cm ${name} -n ${namespace} -o yaml > cm.yaml && ferry config validate cm.yaml\` lists every problem), then restart the node-agents: \`kubectl rollout restart ds/ferry-node-agent -n ${namespace}\``,
    });
  }
  return { config: report.config, configMap: name, hash: configHash(value) };
}
