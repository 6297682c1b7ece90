/**
 * Where a new volume's initial content comes from: a VolumeSnapshot (the snapshot's data, by its content's
 * handle) or another claim (a clone of its volume), named by `dataSourceRef` or `dataSource`. A source that is not
 * ready yet is a `Retry` whose message the provisioner reports as `ProvisioningFailed`, as external-provisioner does.
 */
import { stat } from 'node:fs/promises';
import type { V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { parseQuantity } from '../../config/quantity.js';
import { claimClass, isOurVolume, type DriverContext } from './context.js';
import { snapshotDir, volumeDir } from './paths.js';
import { Retry } from './queue.js';
import { SNAPSHOT_GROUP } from '../../kube/snapshots.js';

export interface DataSource {
  /** The directory to copy from. */
  path: string;
  /** Present for snapshots: the volume must be at least this big. */
  restoreSize?: string;
}

async function directoryExists(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
}

function fromSnapshot(ctx: DriverContext, namespace: string, name: string): DataSource {
  const notReady = `error getting handle for DataSource Type VolumeSnapshot by Name ${name}`;
  const snapshot = ctx.snapshots.get(name, namespace);
  if (snapshot === undefined) throw new Retry(`${notReady}: error getting snapshot ${name} from api server: volumesnapshots.snapshot.storage.k8s.io "${name}" not found`);
  const contentName = snapshot.status?.boundVolumeSnapshotContentName;
  if (snapshot.status?.readyToUse !== true || contentName === undefined) throw new Retry(`${notReady}: snapshot ${name} is not Ready`);
  const handle = ctx.contents.get(contentName)?.status?.snapshotHandle;
  if (handle === undefined) throw new Retry(`${notReady}: snapshot handle of content ${contentName} is not known yet`);
  return { path: snapshotDir(ctx.dir, handle), ...(snapshot.status.restoreSize === undefined ? {} : { restoreSize: snapshot.status.restoreSize }) };
}

function fromClaim(ctx: DriverContext, claim: V1PersistentVolumeClaim, name: string): DataSource {
  const namespace = claim.metadata?.namespace ?? '';
  const source = ctx.claims.get(name, namespace);
  if (source === undefined) throw new Retry(`error getting PVC ${name} (namespace "${namespace}"): not found`);
  const volume = ctx.volumes.get(source.spec?.volumeName ?? '');
  if (source.status?.phase !== 'Bound' || volume === undefined) throw new Retry(`the source PVC ${name} is not bound`);
  if (!isOurVolume(volume)) throw new Retry(`the source PVC ${name} is not a volume of this driver`);
  if (claimClass(ctx, source)?.metadata?.name !== claimClass(ctx, claim)?.metadata?.name) {
    throw new Retry(`the source PVC and destination PVCs must be in the same storage class for cloning`);
  }
  return { path: volumeDir(ctx.dir, volume.spec?.csi?.volumeHandle ?? '') };
}

/** The claim's data source, `undefined` for an empty volume. */
export async function resolveDataSource(ctx: DriverContext, claim: V1PersistentVolumeClaim): Promise<DataSource | undefined> {
  const ref: { kind: string; name: string; apiGroup?: string } | undefined = claim.spec?.dataSourceRef ?? claim.spec?.dataSource;
  if (ref === undefined) return undefined;
  const group = ref.apiGroup ?? '';
  let source: DataSource;
  if (ref.kind === 'VolumeSnapshot' && group === SNAPSHOT_GROUP) source = fromSnapshot(ctx, claim.metadata?.namespace ?? '', ref.name);
  else if (ref.kind === 'PersistentVolumeClaim' && group === '') source = fromClaim(ctx, claim, ref.name);
  else throw new Retry(`data source ${ref.kind}.${group} ${ref.name} is not supported by the local hostpath driver`);
  if (!(await directoryExists(source.path))) throw new Retry(`the data of ${ref.kind} ${ref.name} is missing (${source.path})`);
  const requested = parseQuantity(claim.spec?.resources?.requests?.['storage'] ?? '0') ?? 0;
  const needed = source.restoreSize === undefined ? undefined : parseQuantity(source.restoreSize);
  if (needed !== undefined && requested < needed) {
    throw new Retry(`requested volume size ${requested} is less than the size ${needed} for the source snapshot ${ref.name}`);
  }
  return source;
}
