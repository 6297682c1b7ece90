/**
 * The claim side of the PV controller and the external provisioner, for one claim at a time: bind a claim to the
 * PV it names or to a matching available PV, otherwise provision a volume when the claim's class is this driver's
 * (at once for Immediate, on the scheduler's `selected-node` for WaitForFirstConsumer), then bind both ways.
 */
import { mkdir, rm } from 'node:fs/promises';
import type { V1Node, V1PersistentVolume, V1PersistentVolumeClaim, V1StorageClass } from '@kubernetes/client-node';
import { parseQuantity } from '../../config/quantity.js';
import { parseLabelSelector } from '../../affinity/index.js';
import { SELECTED_NODE_ANNOTATION } from '../../kube/annotations.js';
import { MERGE_PATCH, ignoreNotFound, type Manifest } from '../kubelet/api.js';
import { claimClass, claimSubject, confirmedGone, type DriverContext } from './context.js';
import { copyTree } from './copy.js';
import { resolveDataSource } from './datasource.js';
import { DRIVER_NAME, PATH_ATTRIBUTE, volumeDir } from './paths.js';
import { Retry } from './queue.js';
import { volumeNodeAffinity } from './topology.js';

const PROVISIONED_BY_ANNOTATION = 'pv.kubernetes.io/provisioned-by';

function requestBytes(claim: V1PersistentVolumeClaim): number {
  return parseQuantity(claim.spec?.resources?.requests?.['storage'] ?? '0') ?? 0;
}

function capacityBytes(pv: V1PersistentVolume): number {
  return parseQuantity(pv.spec?.capacity?.['storage'] ?? '0') ?? 0;
}

/** `pvc-<claim uid>`, the external provisioner's naming. */
export function provisionedName(claim: V1PersistentVolumeClaim): string {
  return `pvc-${claim.metadata?.uid ?? ''}`;
}

function claimedBy(pv: V1PersistentVolume, claim: V1PersistentVolumeClaim): boolean {
  const ref = pv.spec?.claimRef;
  return ref?.name === claim.metadata?.name && ref?.namespace === claim.metadata?.namespace && (ref?.uid === undefined || ref.uid === claim.metadata?.uid);
}

/** A claim with a selector wants one particular existing volume (Velero's restores use this), never a new one. */
function hasSelector(claim: V1PersistentVolumeClaim): boolean {
  const selector = claim.spec?.selector;
  return Object.keys(selector?.matchLabels ?? {}).length > 0 || (selector?.matchExpressions ?? []).length > 0;
}

/**
 * A PV whose claimRef already names this claim. The PV controller binds it even while a WaitForFirstConsumer claim
 * waits for its consumer: Velero's restores hand their volume over this way before any workload is scheduled.
 */
function preBoundVolume(ctx: DriverContext, claim: V1PersistentVolumeClaim): V1PersistentVolume | undefined {
  return ctx.volumes.list().find((pv) => claimedBy(pv, claim));
}

/**
 * A static PV this claim may bind to: pre-bound to it, or available, big enough, with the same class and modes,
 * and matching the claim's selector.
 */
function matchingVolume(ctx: DriverContext, claim: V1PersistentVolumeClaim, className: string): V1PersistentVolume | undefined {
  const volumes = ctx.volumes.list();
  const preBound = preBoundVolume(ctx, claim);
  if (preBound !== undefined) return preBound;
  const modes = claim.spec?.accessModes ?? [];
  const request = requestBytes(claim);
  const selector = parseLabelSelector(claim.spec?.selector ?? {});
  return volumes
    .filter(
      (pv) =>
        pv.spec?.claimRef === undefined &&
        selector.ok &&
        selector.matches(pv.metadata?.labels ?? {}) &&
        pv.status?.phase === 'Available' &&
        (pv.spec?.storageClassName ?? '') === className &&
        (pv.spec?.volumeMode ?? 'Filesystem') === (claim.spec?.volumeMode ?? 'Filesystem') &&
        modes.every((m) => pv.spec?.accessModes?.includes(m) === true) &&
        capacityBytes(pv) >= request,
    )
    .sort((a, b) => capacityBytes(a) - capacityBytes(b))[0];
}

/** Both halves of a binding, each step skipped when already done, so a retry after a failure finishes the job. */
async function bind(ctx: DriverContext, pv: V1PersistentVolume, claim: V1PersistentVolumeClaim): Promise<void> {
  const pvName = pv.metadata?.name ?? '';
  const name = claim.metadata?.name ?? '';
  const namespace = claim.metadata?.namespace ?? '';
  if (pv.spec?.claimRef?.uid !== claim.metadata?.uid) {
    const claimRef = { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace, name, uid: claim.metadata?.uid, resourceVersion: claim.metadata?.resourceVersion };
    const body = { metadata: { annotations: { 'pv.kubernetes.io/bound-by-controller': 'yes' } }, spec: { claimRef } };
    await ctx.core.patchPersistentVolume({ name: pvName, body }, MERGE_PATCH);
  }
  if (pv.status?.phase !== 'Bound') await ctx.core.patchPersistentVolumeStatus({ name: pvName, body: { status: { phase: 'Bound' } } }, MERGE_PATCH);
  if (claim.spec?.volumeName !== pvName) {
    const annotations = { 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes' };
    await ctx.core.patchNamespacedPersistentVolumeClaim({ name, namespace, body: { metadata: { annotations }, spec: { volumeName: pvName } } }, MERGE_PATCH);
  }
  const status = { phase: 'Bound', accessModes: pv.spec?.accessModes, capacity: pv.spec?.capacity };
  await ctx.core.patchNamespacedPersistentVolumeClaimStatus({ name, namespace, body: { status } }, MERGE_PATCH);
}

function chooseNode(ctx: DriverContext, claim: V1PersistentVolumeClaim, sc: V1StorageClass): V1Node | undefined {
  if (sc.volumeBindingMode === 'WaitForFirstConsumer') return ctx.nodes.get(claim.metadata?.annotations?.[SELECTED_NODE_ANNOTATION] ?? '');
  return ctx.roundRobin.pick(ctx.nodes.list());
}

async function provision(ctx: DriverContext, claim: V1PersistentVolumeClaim, sc: V1StorageClass): Promise<V1PersistentVolume> {
  const subject = claimSubject(claim);
  const key = `${claim.metadata?.namespace ?? ''}/${claim.metadata?.name ?? ''}`;
  const fail = (message: string): never => {
    ctx.events.record(subject, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${sc.metadata?.name ?? ''}": ${message}`);
    throw new Retry(message);
  };
  if ((claim.spec?.volumeMode ?? 'Filesystem') !== 'Filesystem') fail('the local hostpath driver provides Filesystem volumes only');
  const node = ctx.topology === 'none' ? undefined : chooseNode(ctx, claim, sc);
  if (ctx.topology !== 'none' && node === undefined) fail('no Ready node to place the volume on');
  let source;
  try {
    source = await resolveDataSource(ctx, claim);
  } catch (err) {
    if (err instanceof Retry) fail(err.message);
    throw err;
  }
  const name = provisionedName(claim);
  // A volume created by an attempt that failed before binding.
  const earlier = await ignoreNotFound(ctx.core.readPersistentVolume({ name }));
  if (earlier !== undefined) return earlier;
  const path = volumeDir(ctx.dir, name);
  ctx.events.record(subject, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${key}"`);
  if (source === undefined) {
    await rm(path, { recursive: true, force: true });
    await mkdir(path, { recursive: true });
  } else {
    await copyTree(source.path, path);
  }
  const affinity = node === undefined ? undefined : volumeNodeAffinity(ctx.topology, node);
  const pv: Manifest = {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name, annotations: { [PROVISIONED_BY_ANNOTATION]: DRIVER_NAME } },
    spec: {
      capacity: { storage: claim.spec?.resources?.requests?.['storage'] ?? '0' },
      accessModes: claim.spec?.accessModes,
      persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
      storageClassName: sc.metadata?.name,
      volumeMode: 'Filesystem',
      ...(sc.mountOptions === undefined ? {} : { mountOptions: sc.mountOptions }),
      csi: { driver: DRIVER_NAME, volumeHandle: name, volumeAttributes: { [PATH_ATTRIBUTE]: path } },
      claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: claim.metadata?.namespace, name: claim.metadata?.name, uid: claim.metadata?.uid },
      ...(affinity === undefined ? {} : { nodeAffinity: affinity }),
    },
  };
  await ctx.objects.create(pv);
  ctx.events.record(subject, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${name}`);
  return ctx.core.readPersistentVolume({ name });
}

export async function reconcileClaim(ctx: DriverContext, namespace: string, name: string): Promise<void> {
  const claim = ctx.claims.get(name, namespace);
  if (claim === undefined || claim.metadata?.deletionTimestamp !== undefined) return;
  const volumeName = claim.spec?.volumeName ?? '';
  if (volumeName !== '') {
    const pv = ctx.volumes.get(volumeName);
    if (pv === undefined) {
      if (claim.status?.phase === 'Bound' && (await confirmedGone(() => ctx.core.readPersistentVolume({ name: volumeName })))) {
        await ctx.core.patchNamespacedPersistentVolumeClaimStatus({ name, namespace, body: { status: { phase: 'Lost' } } }, MERGE_PATCH);
        ctx.events.record(claimSubject(claim), 'Warning', 'ClaimLost', `Bound claim has lost its PersistentVolume. Data on the volume is lost!`);
      }
      return;
    }
    if (pv.spec?.claimRef !== undefined && !claimedBy(pv, claim)) return;
    if (claim.status?.phase !== 'Bound' || pv.status?.phase !== 'Bound' || pv.spec?.claimRef?.uid !== claim.metadata?.uid) await bind(ctx, pv, claim);
    return;
  }
  const sc = claimClass(ctx, claim);
  const className = claim.spec?.storageClassName ?? sc?.metadata?.name ?? '';
  const waitsForConsumer = sc?.volumeBindingMode === 'WaitForFirstConsumer' && claim.metadata?.annotations?.[SELECTED_NODE_ANNOTATION] === undefined;
  const existing = ctx.volumes.get(provisionedName(claim)) ?? (waitsForConsumer ? preBoundVolume(ctx, claim) : matchingVolume(ctx, claim, className));
  if (existing !== undefined) {
    await bind(ctx, existing, claim);
    return;
  }
  // As the external provisioner: a claim with a selector is only ever bound, never provisioned for.
  if (sc === undefined || sc.provisioner !== DRIVER_NAME || hasSelector(claim)) return;
  if (waitsForConsumer) {
    ctx.events.record(claimSubject(claim), 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
    return;
  }
  await bind(ctx, await provision(ctx, claim, sc), claim);
}
