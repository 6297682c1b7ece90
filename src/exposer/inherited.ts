import type { DaemonSet, EnvFromSource, EnvVar, LocalObjectReference, PodDNSConfig, Toleration, Volume, VolumeMount } from '../kube/models.js';
import type { KubeClient } from '../kube/client.js';
import { R } from '../kube/resources.js';
import { NODE_AGENT_CONTAINER, NODE_AGENT_DAEMONSET } from '../kube/velero.js';
import { FerryError } from '../util/errors.js';

/** What a data-mover pod takes over from the node-agent DaemonSet (Velero's `getInheritedPodInfo`). */
export interface InheritedPodInfo {
  image: string;
  command: string[] | undefined;
  env: EnvVar[];
  envFrom: EnvFromSource[];
  volumes: Volume[];
  volumeMounts: VolumeMount[];
  serviceAccountName: string;
  tolerations: Toleration[];
  dnsPolicy: string | undefined;
  dnsConfig: PodDNSConfig | undefined;
  imagePullSecrets: LocalObjectReference[];
  /** `--log-level` / `--log-format` arguments of the node-agent, passed on to data movers. */
  logArgs: string[];
  /** Labels and annotations of cloud identity integrations, copied when the config sets no podLabels / podAnnotations. */
  thirdPartyLabels: Record<string, string>;
  thirdPartyAnnotations: Record<string, string>;
}

const THIRD_PARTY_LABELS = ['azure.workload.identity/use'];
const THIRD_PARTY_ANNOTATIONS = ['iam.amazonaws.com/role'];

function pick(source: Record<string, string> | undefined, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of keys) {
    const value = source?.[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

export function inheritedFromDaemonSet(ds: DaemonSet): InheritedPodInfo {
  const name = `${ds.metadata?.namespace ?? ''}/${ds.metadata?.name ?? ''}`;
  const template = ds.spec?.template;
  const containers = template?.spec?.containers ?? [];
  const container = containers.find((c) => c.name === NODE_AGENT_CONTAINER) ?? containers[0];
  if (container?.image === undefined || container.image === '') {
    throw new FerryError('ConfigInvalid', `the node-agent DaemonSet ${name} has no container with an image to run data movers with`);
  }
  const spec = template?.spec;
  return {
    image: container.image,
    command: container.command,
    env: container.env ?? [],
    envFrom: container.envFrom ?? [],
    volumes: spec?.volumes ?? [],
    volumeMounts: container.volumeMounts ?? [],
    serviceAccountName: spec?.serviceAccountName ?? 'default',
    tolerations: spec?.tolerations ?? [],
    dnsPolicy: spec?.dnsPolicy,
    dnsConfig: spec?.dnsConfig,
    imagePullSecrets: spec?.imagePullSecrets ?? [],
    logArgs: (container.args ?? []).filter((a) => a.startsWith('--log-level') || a.startsWith('--log-format')),
    thirdPartyLabels: pick(template?.metadata?.labels, THIRD_PARTY_LABELS),
    thirdPartyAnnotations: pick(template?.metadata?.annotations, THIRD_PARTY_ANNOTATIONS),
  };
}

/** Reads the node-agent DaemonSet now (it may have been edited since the node-agent started). */
export async function readInheritedPodInfo(client: KubeClient, namespace: string): Promise<InheritedPodInfo> {
  const ds = await client.get<DaemonSet>(R.daemonSets, { namespace, name: NODE_AGENT_DAEMONSET });
  return inheritedFromDaemonSet(ds);
}
