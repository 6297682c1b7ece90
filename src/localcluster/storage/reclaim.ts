/**
 * The volume side of the PV controller: a PV without a claim is Available; a PV whose claim is gone is Released
 * and then reclaimed per its policy: Delete removes this driver's volumes (directory, then PV) and marks other
 * drivers' volumes Failed (nothing here can delete them); Retain keeps the PV Released with its data.
 */
import { rm } from 'node:fs/promises';
import type { V1PersistentVolume } from '@kubernetes/client-node';
import { MERGE_PATCH, ignoreNotFound } from '../kubelet/api.js';
import { isOurVolume, type DriverContext } from './context.js';
import { persistentVolumePath } from './paths.js';

async function setPhase(ctx: DriverContext, pv: V1PersistentVolume, phase: string, message?: string): Promise<void> {
  if (pv.status?.phase === phase) return;
  const status = { phase, message: message ?? null };
  await ctx.core.patchPersistentVolumeStatus({ name: pv.metadata?.name ?? '', body: { status } }, MERGE_PATCH);
}

/** Removes the data of one of this driver's volumes (DeleteVolume). */
export async function deleteVolumeData(ctx: DriverContext, pv: V1PersistentVolume): Promise<void> {
  // The node does not matter for CSI volumes: their directory is under <dir>/volumes.
  const path = persistentVolumePath(ctx.dir, '', pv);
  if (path !== undefined) await rm(path, { recursive: true, force: true });
}

async function reclaim(ctx: DriverContext, pv: V1PersistentVolume): Promise<void> {
  const name = pv.metadata?.name ?? '';
  const policy = pv.spec?.persistentVolumeReclaimPolicy ?? 'Retain';
  if (policy !== 'Delete') {
    await setPhase(ctx, pv, 'Released');
    return;
  }
  if (!isOurVolume(pv)) {
    await setPhase(ctx, pv, 'Failed', `error getting deleter volume plugin for volume "${name}": no deletable volume plugin matched`);
    return;
  }
  await setPhase(ctx, pv, 'Released');
  await deleteVolumeData(ctx, pv);
  await ignoreNotFound(ctx.core.deletePersistentVolume({ name }));
}

export async function reconcileVolume(ctx: DriverContext, name: string): Promise<void> {
  const pv = ctx.volumes.get(name);
  if (pv === undefined) return;
  const ref = pv.spec?.claimRef;
  const phase = pv.status?.phase;
  if (phase === 'Released' || phase === 'Failed') {
    if (phase === 'Released' && pv.spec?.persistentVolumeReclaimPolicy === 'Delete') await reclaim(ctx, pv);
    return;
  }
  // No claim, or pre-bound to a claim that does not exist yet.
  if (ref?.uid === undefined) {
    await setPhase(ctx, pv, 'Available');
    return;
  }
  if (ctx.claims.get(ref.name ?? '', ref.namespace)?.metadata?.uid === ref.uid) return;
  if (await claimGone(ctx, ref.namespace ?? '', ref.name ?? '', ref.uid)) await reclaim(ctx, pv);
}

/** Decided on a fresh read (the claim cache may lag); a new claim of the same name is not the bound one. */
async function claimGone(ctx: DriverContext, namespace: string, name: string, uid: string): Promise<boolean> {
  const claim = await ignoreNotFound(ctx.core.readNamespacedPersistentVolumeClaim({ name, namespace }));
  return claim?.metadata?.uid !== uid;
}
