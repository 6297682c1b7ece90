/**
 * A pod's volumes made real on this machine, each as a directory: a PVC's volume directory (from its bound PV),
 * files written from Secrets, ConfigMaps, the downward API and service-account tokens (TokenRequests bound to the
 * pod, as the kubelet's token manager makes them), a fresh directory for `emptyDir`, and a node-local directory for
 * `hostPath`. What cannot be set up yet (claim not bound, required Secret missing, ServiceAccount missing) is a
 * `MountError` with the kubelet's `FailedMount` wording; the kubelet retries.
 */
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import {
  AuthenticationV1TokenRequest,
  V1BoundObjectReference,
  V1TokenRequestSpec,
  type CoreV1Api,
  type V1DownwardAPIVolumeFile,
  type V1KeyToPath,
  type V1Pod,
  type V1Volume,
} from '@kubernetes/client-node';
import { apiMessage, apiStatus, isNotFound } from './api.js';
import { ContainerConfigError, podFieldValue, resourceFieldValue } from './env.js';
import type { ConfigSource, Data } from './sources.js';
import { nodeHostPath, persistentVolumePath } from '../storage/paths.js';

export class MountError extends Error {
  override readonly name = 'MountError';
  constructor(
    readonly volume: string,
    reason: string,
  ) {
    super(`MountVolume.SetUp failed for volume "${volume}" : ${reason}`);
  }
}

export interface VolumeContext {
  /** The cluster directory. */
  dir: string;
  nodeName: string;
  /** `<dir>/pods/<ns>/<pod>`: where per-pod volume directories live. */
  podDir: string;
  source: ConfigSource;
  core: CoreV1Api;
}

/** The service-account directory every container gets unless the pod opts out (the API server's admission adds it on a real cluster). */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
export const SERVICE_ACCOUNT_VOLUME = 'kube-api-access-local';
/** The token's file name in that directory. */
export const SERVICE_ACCOUNT_TOKEN = 'token';

interface File {
  path: string;
  data: Buffer;
  mode: number | undefined;
}

class Reason extends Error {}

const DEFAULT_MODE = 0o644;

function safeRelative(path: string): string {
  const p = normalize(path);
  if (p.startsWith('..') || p.startsWith('/')) throw new Reason(`invalid path "${path}": must be relative and may not contain '..'`);
  return p;
}

async function writeFiles(target: string, files: File[], defaultMode: number | undefined): Promise<void> {
  await rm(target, { recursive: true, force: true });
  await mkdir(target, { recursive: true });
  for (const f of files) {
    const path = join(target, safeRelative(f.path));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, f.data);
    await chmod(path, f.mode ?? defaultMode ?? DEFAULT_MODE);
  }
}

function keyFiles(data: Data, items: V1KeyToPath[] | undefined, missingKey: (key: string) => string, optional: boolean): File[] {
  if (items === undefined || items.length === 0) return Object.entries(data).map(([path, value]) => ({ path, data: value, mode: undefined }));
  return items.flatMap((item) => {
    const value = data[item.key];
    if (value === undefined) {
      if (optional) return [];
      throw new Reason(missingKey(item.key));
    }
    return [{ path: item.path, data: value, mode: item.mode }];
  });
}

async function secretFiles(ctx: VolumeContext, namespace: string, name: string, items: V1KeyToPath[] | undefined, optional: boolean): Promise<File[]> {
  const data = await ctx.source.secret(namespace, name);
  if (data === undefined) {
    if (optional) return [];
    throw new Reason(`secret "${name}" not found`);
  }
  return keyFiles(data, items, (k) => `references non-existent secret key: ${k}`, optional);
}

async function configMapFiles(ctx: VolumeContext, namespace: string, name: string, items: V1KeyToPath[] | undefined, optional: boolean): Promise<File[]> {
  const data = await ctx.source.configMap(namespace, name);
  if (data === undefined) {
    if (optional) return [];
    throw new Reason(`configmap "${name}" not found`);
  }
  return keyFiles(data, items, (k) => `configmap references non-existent config key: ${k}`, optional);
}

function downwardFiles(pod: V1Pod, items: V1DownwardAPIVolumeFile[] | undefined): File[] {
  return (items ?? []).map((item) => {
    const container = pod.spec?.containers.find((c) => c.name === item.resourceFieldRef?.containerName) ?? pod.spec?.containers[0];
    const value =
      item.fieldRef !== undefined
        ? podFieldValue(pod, item.fieldRef.fieldPath)
        : item.resourceFieldRef !== undefined && container !== undefined
          ? resourceFieldValue(container, item.resourceFieldRef.resource, item.resourceFieldRef.divisor)
          : '';
    return { path: item.path, data: Buffer.from(value), mode: item.mode };
  });
}

/** What the kubelet asks for its own `kube-api-access` volume; the API server extends such tokens (see handlers/tokens.ts). */
const KUBELET_TOKEN_SECONDS = 3607;
/** The API's default for a projected `serviceAccountToken` source. */
const PROJECTED_TOKEN_SECONDS = 3600;

/** Tokens for one pod, one TokenRequest per audience and lifetime; a missing ServiceAccount is a mount failure. */
type PodTokens = (audience: string | undefined, expirationSeconds: number) => Promise<string>;

function podTokens(core: CoreV1Api, pod: V1Pod): PodTokens {
  const made = new Map<string, Promise<string>>();
  const namespace = pod.metadata?.namespace ?? 'default';
  const name = pod.spec?.serviceAccountName ?? 'default';
  const request = async (audience: string | undefined, expirationSeconds: number): Promise<string> => {
    const boundObjectRef = Object.assign(new V1BoundObjectReference(), { apiVersion: 'v1', kind: 'Pod', name: pod.metadata?.name, uid: pod.metadata?.uid });
    const spec = Object.assign(new V1TokenRequestSpec(), { audiences: audience === undefined || audience === '' ? [] : [audience], expirationSeconds, boundObjectRef });
    const body = Object.assign(new AuthenticationV1TokenRequest(), { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec });
    try {
      const answer = await core.createNamespacedServiceAccountToken({ name, namespace, body });
      return answer.status?.token ?? '';
    } catch (err) {
      if (apiStatus(err) === undefined) throw err;
      throw new Reason(`failed to fetch token: ${apiMessage(err)}`);
    }
  };
  return (audience, expirationSeconds) => {
    const key = `${audience ?? ''}/${String(expirationSeconds)}`;
    let token = made.get(key);
    if (token === undefined) {
      token = request(audience, expirationSeconds);
      made.set(key, token);
    }
    return token;
  };
}

async function tokenFile(tokens: PodTokens, path: string, audience: string | undefined, expirationSeconds: number): Promise<File> {
  return { path, data: Buffer.from(await tokens(audience, expirationSeconds)), mode: undefined };
}

const PLACEHOLDER_CA = Buffer.from('# The local cluster serves plain HTTP; there is no cluster CA.\n');

async function projectedFiles(ctx: VolumeContext, pod: V1Pod, volume: V1Volume, tokens: PodTokens): Promise<File[]> {
  const namespace = pod.metadata?.namespace ?? 'default';
  const files: File[] = [];
  for (const source of volume.projected?.sources ?? []) {
    if (source.secret !== undefined) files.push(...(await secretFiles(ctx, namespace, source.secret.name ?? '', source.secret.items, source.secret.optional === true)));
    if (source.configMap !== undefined) {
      const cm = source.configMap;
      // Every namespace of a real cluster has kube-root-ca.crt; the local cluster has no CA, so a placeholder stands in.
      const rootCa = cm.name === 'kube-root-ca.crt' && (await ctx.source.configMap(namespace, cm.name)) === undefined;
      if (rootCa) files.push(...(cm.items?.map((i) => ({ path: i.path, data: PLACEHOLDER_CA, mode: i.mode })) ?? [{ path: 'ca.crt', data: PLACEHOLDER_CA, mode: undefined }]));
      else files.push(...(await configMapFiles(ctx, namespace, cm.name ?? '', cm.items, cm.optional === true)));
    }
    if (source.downwardAPI !== undefined) files.push(...downwardFiles(pod, source.downwardAPI.items));
    const sa = source.serviceAccountToken;
    if (sa !== undefined) files.push(await tokenFile(tokens, sa.path, sa.audience, sa.expirationSeconds ?? PROJECTED_TOKEN_SECONDS));
  }
  return files;
}

async function claimPath(ctx: VolumeContext, namespace: string, claimName: string): Promise<string> {
  let volumeName: string | undefined;
  try {
    const pvc = await ctx.core.readNamespacedPersistentVolumeClaim({ namespace, name: claimName });
    volumeName = pvc.status?.phase === 'Bound' ? pvc.spec?.volumeName : undefined;
  } catch (err) {
    if (isNotFound(err)) throw new Reason(`persistentvolumeclaim "${claimName}" not found`);
    throw err;
  }
  if (volumeName === undefined || volumeName === '') throw new Reason(`PVC ${namespace}/${claimName} is not bound`);
  let path: string | undefined;
  try {
    path = persistentVolumePath(ctx.dir, ctx.nodeName, await ctx.core.readPersistentVolume({ name: volumeName }));
  } catch (err) {
    if (isNotFound(err)) throw new Reason(`persistentvolume "${volumeName}" not found`);
    throw err;
  }
  if (path === undefined) throw new Reason(`the volume source of PV "${volumeName}" is not supported by the local kubelet`);
  await mkdir(path, { recursive: true });
  return path;
}

async function prepareOne(ctx: VolumeContext, pod: V1Pod, volume: V1Volume, tokens: PodTokens): Promise<string> {
  const namespace = pod.metadata?.namespace ?? 'default';
  const own = (kind: string): string => join(ctx.podDir, 'volumes', kind, volume.name);
  if (volume.persistentVolumeClaim !== undefined) return claimPath(ctx, namespace, volume.persistentVolumeClaim.claimName);
  if (volume.emptyDir !== undefined) {
    await mkdir(own('empty-dir'), { recursive: true });
    return own('empty-dir');
  }
  if (volume.hostPath !== undefined) {
    const path = nodeHostPath(ctx.dir, ctx.nodeName, volume.hostPath.path);
    const type = volume.hostPath.type ?? '';
    if (type === 'FileOrCreate' || type === 'File') {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, '', { flag: 'a' });
    } else {
      await mkdir(path, { recursive: true });
    }
    return path;
  }
  const written = async (kind: string, files: File[], defaultMode: number | undefined): Promise<string> => {
    await writeFiles(own(kind), files, defaultMode);
    return own(kind);
  };
  if (volume.secret !== undefined) {
    const s = volume.secret;
    return written('secret', await secretFiles(ctx, namespace, s.secretName ?? '', s.items, s.optional === true), s.defaultMode);
  }
  if (volume.configMap !== undefined) {
    const cm = volume.configMap;
    return written('configmap', await configMapFiles(ctx, namespace, cm.name ?? '', cm.items, cm.optional === true), cm.defaultMode);
  }
  if (volume.downwardAPI !== undefined) return written('downward-api', downwardFiles(pod, volume.downwardAPI.items), volume.downwardAPI.defaultMode);
  if (volume.projected !== undefined) return written('projected', await projectedFiles(ctx, pod, volume, tokens), volume.projected.defaultMode);
  throw new Reason('this volume type is not supported by the local kubelet (supported: persistentVolumeClaim, secret, configMap, emptyDir, hostPath, projected, downwardAPI)');
}

/** Whether the pod gets the service-account directory (the API server's ServiceAccount admission on a real cluster). */
export function mountsServiceAccount(pod: V1Pod): boolean {
  return pod.spec?.automountServiceAccountToken !== false;
}

/** The pod's volumes by name, each as a directory on this machine. */
export async function prepareVolumes(ctx: VolumeContext, pod: V1Pod): Promise<Map<string, string>> {
  const prepared = new Map<string, string>();
  const tokens = podTokens(ctx.core, pod);
  const mount = async (name: string, setUp: () => Promise<string>): Promise<void> => {
    try {
      prepared.set(name, await setUp());
    } catch (err) {
      if (err instanceof Reason || err instanceof ContainerConfigError) throw new MountError(name, err.message);
      throw err;
    }
  };
  for (const volume of pod.spec?.volumes ?? []) await mount(volume.name, () => prepareOne(ctx, pod, volume, tokens));
  if (mountsServiceAccount(pod) && !prepared.has(SERVICE_ACCOUNT_VOLUME)) {
    await mount(SERVICE_ACCOUNT_VOLUME, async () => {
      const namespace = pod.metadata?.namespace ?? 'default';
      const token = await tokenFile(tokens, SERVICE_ACCOUNT_TOKEN, undefined, KUBELET_TOKEN_SECONDS);
      const files: File[] = [token, { path: 'namespace', data: Buffer.from(namespace), mode: undefined }, { path: 'ca.crt', data: PLACEHOLDER_CA, mode: undefined }];
      const target = join(ctx.podDir, 'volumes', 'projected', SERVICE_ACCOUNT_VOLUME);
      await writeFiles(target, files, DEFAULT_MODE);
      return target;
    });
  }
  return prepared;
}
