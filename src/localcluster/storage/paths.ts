/**
 * Where the local cluster keeps volume data under its directory: `volumes/<pv>/` for each provisioned volume,
 * `snapshots/<handle>/` (plus `<handle>.json`, the driver's record of it) for each snapshot, and
 * `nodes/<node>/rootfs/` for what `hostPath` volumes see as a node's filesystem.
 */
import { join } from 'node:path';
import type { V1PersistentVolume } from '@kubernetes/client-node';

/** The CSI driver (and provisioner and snapshotter) name of the local cluster's hostpath driver. */
export const DRIVER_NAME = 'hostpath.csi.ferry.dev';

/** The volume attribute that records a volume's directory in its PV. */
export const PATH_ATTRIBUTE = 'path';

export function volumeDir(dir: string, volumeHandle: string): string {
  return join(dir, 'volumes', volumeHandle);
}

export function snapshotDir(dir: string, snapshotHandle: string): string {
  return join(dir, 'snapshots', snapshotHandle);
}

export function snapshotRecordPath(dir: string, snapshotHandle: string): string {
  return join(dir, 'snapshots', `${snapshotHandle}.json`);
}

/** A path on a node's filesystem, as `hostPath` volumes and `local`/`hostPath` PVs address it. */
export function nodeHostPath(dir: string, nodeName: string, path: string): string {
  return join(dir, 'nodes', nodeName, 'rootfs', path);
}

/** The directory behind a PV on a node, or `undefined` for volume sources the local cluster cannot mount. */
export function persistentVolumePath(dir: string, nodeName: string, pv: V1PersistentVolume): string | undefined {
  const csi = pv.spec?.csi;
  if (csi?.driver === DRIVER_NAME) return csi.volumeAttributes?.[PATH_ATTRIBUTE] ?? volumeDir(dir, csi.volumeHandle);
  const hostPath = pv.spec?.hostPath?.path ?? pv.spec?.local?.path;
  return hostPath === undefined ? undefined : nodeHostPath(dir, nodeName, hostPath);
}
