/**
 * A container's environment as the kubelet computes it: `envFrom` sources first (later ones win, keys with `=`
 * skipped), then `env` in order with `$(VAR)` expansion over what is defined so far, `valueFrom` resolved from the
 * pod (fieldRef), the container's resources (resourceFieldRef), Secrets and ConfigMaps. A missing required Secret
 * or ConfigMap (or key) is a `ContainerConfigError` with the kubelet's message.
 */
import { cpus, totalmem } from 'node:os';
import type { V1Container, V1EnvVar, V1Pod } from '@kubernetes/client-node';
import { parseQuantity } from '../../config/quantity.js';
import { expandVars } from './command.js';
import type { ConfigSource, Data } from './sources.js';

/** Why a container cannot be created yet; the kubelet reports it as waiting with reason `CreateContainerConfigError`. */
export class ContainerConfigError extends Error {
  override readonly name = 'ContainerConfigError';
}

/** The value of a downward-API `fieldRef` path for a pod, as env vars and downwardAPI volumes see it. */
export function podFieldValue(pod: V1Pod, fieldPath: string): string {
  const meta = pod.metadata;
  const subscript = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (subscript !== null) {
    const map = subscript[1] === 'labels' ? meta?.labels : meta?.annotations;
    return map?.[subscript[2] ?? ''] ?? '';
  }
  const ips = (list: { ip?: string }[] | undefined, single: string | undefined): string => list?.map((i) => i.ip ?? '').join(',') ?? single ?? '';
  switch (fieldPath) {
    case 'metadata.name':
      return meta?.name ?? '';
    case 'metadata.namespace':
      return meta?.namespace ?? '';
    case 'metadata.uid':
      return meta?.uid ?? '';
    case 'metadata.labels':
    case 'metadata.annotations':
      return Object.entries((fieldPath === 'metadata.labels' ? meta?.labels : meta?.annotations) ?? {})
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join('\n');
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP':
    case 'status.podIP':
      return (fieldPath === 'status.hostIP' ? pod.status?.hostIP : pod.status?.podIP) ?? '';
    case 'status.hostIPs':
      return ips(pod.status?.hostIPs, pod.status?.hostIP);
    case 'status.podIPs':
      return ips(pod.status?.podIPs, pod.status?.podIP);
    default:
      throw new ContainerConfigError(`unsupported fieldPath: ${fieldPath}`);
  }
}

/** `resourceFieldRef`: the container's request or limit in units of `divisor`, rounded up; limits default to the machine. */
export function resourceFieldValue(container: V1Container, resource: string, divisor = '1'): string {
  const [kind, name] = resource.split('.', 2);
  if ((kind !== 'limits' && kind !== 'requests') || name === undefined) throw new ContainerConfigError(`unsupported container resource: ${resource}`);
  const declared = (kind === 'limits' ? container.resources?.limits : container.resources?.requests)?.[name];
  const machine: Record<string, number> = { cpu: cpus().length, memory: totalmem() };
  const value = declared === undefined ? (kind === 'limits' ? (machine[name] ?? 0) : 0) : parseQuantity(declared);
  const per = parseQuantity(divisor);
  if (value === undefined || per === undefined || per <= 0) throw new ContainerConfigError(`invalid quantity for ${resource}`);
  return String(Math.ceil(value / per));
}

/** What secretKeyRef and configMapKeyRef (and the envFrom sources) have in common. */
interface KeyRef {
  name?: string;
  key: string;
  optional?: boolean;
}

interface RefSpec {
  kind: 'Secret' | 'ConfigMap';
  name: string;
  optional: boolean;
}

async function load(source: ConfigSource, namespace: string, ref: RefSpec): Promise<Data | undefined> {
  const data = ref.kind === 'Secret' ? await source.secret(namespace, ref.name) : await source.configMap(namespace, ref.name);
  if (data === undefined && !ref.optional) throw new ContainerConfigError(`${ref.kind.toLowerCase()} "${ref.name}" not found`);
  return data;
}

async function valueFrom(source: ConfigSource, pod: V1Pod, container: V1Container, v: V1EnvVar): Promise<string | undefined> {
  const from = v.valueFrom;
  if (from === undefined) return undefined;
  if (from.fieldRef !== undefined) return podFieldValue(pod, from.fieldRef.fieldPath);
  if (from.resourceFieldRef !== undefined) return resourceFieldValue(container, from.resourceFieldRef.resource, from.resourceFieldRef.divisor);
  const keyRef: KeyRef | undefined = from.secretKeyRef ?? from.configMapKeyRef;
  if (keyRef === undefined) return undefined;
  const ref: RefSpec = { kind: from.secretKeyRef !== undefined ? 'Secret' : 'ConfigMap', name: keyRef.name ?? '', optional: keyRef.optional === true };
  const namespace = pod.metadata?.namespace ?? 'default';
  const data = await load(source, namespace, ref);
  if (data === undefined) return undefined;
  const value = data[keyRef.key];
  if (value === undefined) {
    if (ref.optional) return undefined;
    throw new ContainerConfigError(`couldn't find key ${keyRef.key} in ${ref.kind} ${namespace}/${ref.name}`);
  }
  return value.toString('utf8');
}

/** The environment a container declares (without what the kubelet adds for every process). */
export async function containerEnv(source: ConfigSource, pod: V1Pod, container: V1Container): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  const namespace = pod.metadata?.namespace ?? 'default';
  for (const from of container.envFrom ?? []) {
    const ref: Omit<KeyRef, 'key'> | undefined = from.secretRef ?? from.configMapRef;
    if (ref === undefined) continue;
    const data = await load(source, namespace, { kind: from.secretRef !== undefined ? 'Secret' : 'ConfigMap', name: ref.name ?? '', optional: ref.optional === true });
    for (const [key, value] of Object.entries(data ?? {})) {
      const name = `${from.prefix ?? ''}${key}`;
      if (!name.includes('=')) env[name] = value.toString('utf8');
    }
  }
  for (const v of container.env ?? []) {
    const resolved = v.valueFrom === undefined ? expandVars(v.value ?? '', (n) => env[n]) : await valueFrom(source, pod, container, v);
    if (resolved !== undefined) env[v.name] = resolved;
  }
  return env;
}
