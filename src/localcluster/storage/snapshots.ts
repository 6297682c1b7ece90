/**
 * The snapshot controller and the CSI snapshotter for this driver. A VolumeSnapshot of a claim gets a content
 * `snapcontent-<uid>` holding a point-in-time copy of the volume (handle = the content's name); a VolumeSnapshot
 * naming a pre-provisioned content binds to it when the content's `volumeSnapshotRef` names the snapshot. A content
 * whose snapshot is gone is deleted under `deletionPolicy: Delete` (and its data with it when the content itself
 * goes), kept under Retain. Destructive decisions are taken on fresh reads: Velero retains a content and deletes
 * its snapshot in quick succession, and the two watches may deliver those changes in either order.
 */
import type { V1PersistentVolume } from '@kubernetes/client-node';
import { parseQuantity } from '../../config/quantity.js';
import { createIfAbsent, MERGE_PATCH, ignoreNotFound, timestamp } from '../kubelet/api.js';
import type { EventSubject } from '../kubelet/events.js';
import { confirmedGone, isOurVolume, snapshotClassFor, type DriverContext } from './context.js';
import { copyTree } from './copy.js';
import { DRIVER_NAME, persistentVolumePath, snapshotDir } from './paths.js';
import { Retry } from './queue.js';
import { deleteSnapshotData, readRecord, writeRecord, type SnapshotRecord } from './records.js';
import { SNAPSHOT_API_VERSION, SNAPSHOT_GROUP, SNAPSHOT_VERSION, type Observed, type VolumeSnapshot as Snapshot, type VolumeSnapshotContent as Content } from '../../kube/snapshots.js';

type VolumeSnapshot = Observed<Snapshot>;
type VolumeSnapshotContent = Observed<Content>;

const SNAPSHOTS = { group: SNAPSHOT_GROUP, version: SNAPSHOT_VERSION, plural: 'volumesnapshots' };
const CONTENTS = { group: SNAPSHOT_GROUP, version: SNAPSHOT_VERSION, plural: 'volumesnapshotcontents' };

function subject(vs: VolumeSnapshot): EventSubject {
  return { apiVersion: SNAPSHOT_API_VERSION, kind: 'VolumeSnapshot', metadata: vs.metadata };
}

/** The handle of a content's snapshot data: its own name for contents this driver created. */
export function contentHandle(content: VolumeSnapshotContent): string {
  return content.status?.snapshotHandle ?? content.spec?.source?.snapshotHandle ?? content.metadata?.name ?? '';
}

async function patchSnapshotStatus(ctx: DriverContext, vs: VolumeSnapshot, status: Record<string, unknown>): Promise<void> {
  const { name = '', namespace = '' } = vs.metadata ?? {};
  await ctx.custom.patchNamespacedCustomObjectStatus({ ...SNAPSHOTS, namespace, name, body: { status } }, MERGE_PATCH);
}

/** Reports why the snapshot is not ready and retries later. */
async function snapshotError(ctx: DriverContext, vs: VolumeSnapshot, message: string): Promise<never> {
  if (vs.status?.error?.message !== message) {
    await patchSnapshotStatus(ctx, vs, { readyToUse: false, error: { message, time: timestamp() } });
    ctx.events.record(subject(vs), 'Warning', 'SnapshotCreationFailed', message);
  }
  throw new Retry(message);
}

async function capture(ctx: DriverContext, pv: V1PersistentVolume, handle: string): Promise<SnapshotRecord> {
  const source = persistentVolumePath(ctx.dir, '', pv) ?? '';
  await copyTree(source, snapshotDir(ctx.dir, handle));
  const now = Date.now();
  const restoreSize = pv.spec?.capacity?.['storage'] ?? '0';
  const record: SnapshotRecord = {
    handle,
    sourceVolume: pv.metadata?.name ?? '',
    restoreSize,
    restoreSizeBytes: parseQuantity(restoreSize) ?? 0,
    creationTime: timestamp(now),
    creationTimeNs: now * 1_000_000,
  };
  await writeRecord(ctx.dir, record);
  return record;
}

async function markContentReady(ctx: DriverContext, name: string, record: SnapshotRecord): Promise<void> {
  const status = { snapshotHandle: record.handle, readyToUse: true, restoreSize: record.restoreSizeBytes, creationTime: record.creationTimeNs, error: null };
  await ctx.custom.patchClusterCustomObjectStatus({ ...CONTENTS, name, body: { status } }, MERGE_PATCH);
}

async function markSnapshotReady(ctx: DriverContext, vs: VolumeSnapshot, contentName: string, record: SnapshotRecord): Promise<void> {
  const status = { boundVolumeSnapshotContentName: contentName, readyToUse: true, restoreSize: record.restoreSize, creationTime: record.creationTime, error: null };
  await patchSnapshotStatus(ctx, vs, status);
  const { name = '', namespace = '' } = vs.metadata ?? {};
  ctx.events.record(subject(vs), 'Normal', 'SnapshotReady', `Snapshot ${namespace}/${name} is ready to use.`);
}

async function takeSnapshot(ctx: DriverContext, vs: VolumeSnapshot, claimName: string): Promise<void> {
  const { name = '', namespace = '', uid = '' } = vs.metadata ?? {};
  const claim = ctx.claims.get(claimName, namespace);
  if (claim === undefined) return snapshotError(ctx, vs, `failed to get input parameters to create snapshot ${name}: "persistentvolumeclaim \\"${claimName}\\" not found"`);
  const pv = ctx.volumes.get(claim.spec?.volumeName ?? '');
  if (claim.status?.phase !== 'Bound' || pv === undefined) return snapshotError(ctx, vs, `the PVC ${claimName} is not yet bound to a PV, will not attempt to take a snapshot`);
  if (!isOurVolume(pv)) return;
  const snapshotClass = snapshotClassFor(ctx, vs.spec?.volumeSnapshotClassName);
  if (snapshotClass === undefined) return snapshotError(ctx, vs, `failed to get snapshot class for snapshot ${namespace}/${name}: no matching VolumeSnapshotClass`);
  if (snapshotClass.driver !== DRIVER_NAME) return;
  const contentName = `snapcontent-${uid}`;
  const existing = ctx.contents.get(contentName);
  let record = existing === undefined ? undefined : await readRecord(ctx.dir, contentHandle(existing));
  if (record === undefined) {
    ctx.events.record(subject(vs), 'Normal', 'CreatingSnapshot', `Waiting for a snapshot ${namespace}/${name} to be created by the CSI driver.`);
    record = await capture(ctx, pv, contentName);
    if (existing === undefined) {
      const content = {
        apiVersion: SNAPSHOT_API_VERSION,
        kind: 'VolumeSnapshotContent',
        metadata: { name: contentName },
        spec: {
          driver: DRIVER_NAME,
          deletionPolicy: snapshotClass.deletionPolicy ?? 'Delete',
          source: { volumeHandle: pv.spec?.csi?.volumeHandle },
          volumeSnapshotClassName: snapshotClass.metadata?.name,
          volumeSnapshotRef: { kind: 'VolumeSnapshot', apiVersion: SNAPSHOT_API_VERSION, name, namespace, uid },
          sourceVolumeMode: pv.spec?.volumeMode ?? 'Filesystem',
        },
      };
      await createIfAbsent(() => ctx.custom.createClusterCustomObject({ ...CONTENTS, body: content }));
    }
    ctx.events.record(subject(vs), 'Normal', 'SnapshotCreated', `Snapshot ${namespace}/${name} was successfully created by the CSI driver.`);
  }
  await markContentReady(ctx, contentName, record);
  await markSnapshotReady(ctx, vs, contentName, record);
}

async function bindPreProvisioned(ctx: DriverContext, vs: VolumeSnapshot, contentName: string): Promise<void> {
  const { name = '', namespace = '', uid = '' } = vs.metadata ?? {};
  const content = ctx.contents.get(contentName);
  if (content === undefined) return snapshotError(ctx, vs, `failed to get snapshot content ${contentName} from snapshot ${namespace}/${name}`);
  if (content.spec?.driver !== DRIVER_NAME) return;
  const ref = content.spec.volumeSnapshotRef;
  if (ref?.name !== name || ref.namespace !== namespace || (ref.uid !== undefined && ref.uid !== uid)) {
    return snapshotError(ctx, vs, `VolumeSnapshotContent ${contentName} is bound to a different snapshot`);
  }
  const record = await readRecord(ctx.dir, contentHandle(content));
  if (record === undefined) return snapshotError(ctx, vs, `snapshot ${contentHandle(content)} of content ${contentName} does not exist in the driver`);
  if (ref.uid === undefined) {
    const body = { spec: { volumeSnapshotRef: { uid } } };
    await ctx.custom.patchClusterCustomObject({ ...CONTENTS, name: contentName, body }, MERGE_PATCH);
  }
  if (content.status?.readyToUse !== true) await markContentReady(ctx, contentName, record);
  await markSnapshotReady(ctx, vs, contentName, record);
}

export async function reconcileSnapshot(ctx: DriverContext, namespace: string, name: string): Promise<void> {
  const vs = ctx.snapshots.get(name, namespace);
  if (vs === undefined || (vs.status?.readyToUse === true && vs.status.boundVolumeSnapshotContentName !== undefined)) return;
  const source = vs.spec?.source;
  if (source?.volumeSnapshotContentName !== undefined) await bindPreProvisioned(ctx, vs, source.volumeSnapshotContentName);
  else if (source?.persistentVolumeClaimName !== undefined) await takeSnapshot(ctx, vs, source.persistentVolumeClaimName);
}

async function freshContent(ctx: DriverContext, name: string): Promise<VolumeSnapshotContent | undefined> {
  return (await ignoreNotFound(ctx.custom.getClusterCustomObject({ ...CONTENTS, name }))) as VolumeSnapshotContent | undefined;
}

async function snapshotGone(ctx: DriverContext, namespace: string, name: string, uid: string): Promise<boolean> {
  if (ctx.snapshots.get(name, namespace)?.metadata?.uid === uid) return false;
  const vs = (await ignoreNotFound(ctx.custom.getNamespacedCustomObject({ ...SNAPSHOTS, namespace, name }))) as VolumeSnapshot | undefined;
  return vs?.metadata?.uid !== uid;
}

export async function reconcileContent(ctx: DriverContext, name: string): Promise<void> {
  const cached = ctx.contents.get(name);
  if (cached?.spec?.driver !== DRIVER_NAME) return;
  const ref = cached.spec.volumeSnapshotRef;
  if (ref?.uid !== undefined && (await snapshotGone(ctx, ref.namespace ?? '', ref.name ?? '', ref.uid))) {
    const content = await freshContent(ctx, name);
    if (content?.spec?.deletionPolicy === 'Delete' && content.spec.volumeSnapshotRef?.uid === ref.uid) {
      await ignoreNotFound(ctx.custom.deleteClusterCustomObject({ ...CONTENTS, name }));
    }
    return;
  }
  if (cached.status?.readyToUse === true) return;
  const handle = contentHandle(cached);
  const record = await readRecord(ctx.dir, handle);
  if (record !== undefined) await markContentReady(ctx, name, record);
  else if (cached.spec.source?.snapshotHandle !== undefined) {
    const status = { readyToUse: false, error: { message: `snapshot ${handle} does not exist in the driver`, time: timestamp() } };
    await ctx.custom.patchClusterCustomObjectStatus({ ...CONTENTS, name, body: { status } }, MERGE_PATCH);
  }
}

/** A content is gone: under Delete its snapshot data goes too (DeleteSnapshot), under Retain it stays. */
export async function contentDeleted(ctx: DriverContext, content: VolumeSnapshotContent): Promise<void> {
  if (content.spec?.driver !== DRIVER_NAME || content.spec.deletionPolicy !== 'Delete') return;
  if (await confirmedGone(() => ctx.custom.getClusterCustomObject({ ...CONTENTS, name: content.metadata?.name ?? '' }))) {
    await deleteSnapshotData(ctx.dir, contentHandle(content));
  }
}
