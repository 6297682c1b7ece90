import type { KubeClient } from '../kube/client.js';
import type { DataUpload } from '../kube/crds.js';
import type { ObjectMeta, PersistentVolumeClaim, StorageClass } from '../kube/models.js';
import { isDNS1123Subdomain } from '../kube/names.js';
import { R } from '../kube/resources.js';
import { DEFAULT_SNAPSHOT_CLASS_ANNOTATION, SNAPSHOT_API_VERSION, type VolumeSnapshot, type VolumeSnapshotClass } from '../kube/snapshots.js';
import { BACKUP_NAME_LABEL, DEFAULT_DATA_MOVER } from '../kube/velero.js';
import { FerryError, usageError } from '../util/errors.js';

export interface BackupRequest {
  /** The backup's name: labels the DataUpload and the VolumeSnapshot, and prefixes their generated names. */
  name: string;
  /** The install namespace, where the DataUpload and the BackupStorageLocation are. */
  namespace: string;
  pvcNamespace: string;
  pvc: string;
  storageLocation: string;
  dataMoverName?: string;
  /** A Go duration; Velero's CSI plugin uses the backup's csiSnapshotTimeout, `10m0s` by default. */
  operationTimeout?: string;
}

export interface RequestedBackup {
  dataUpload: DataUpload;
  volumeSnapshot: VolumeSnapshot;
}

/** `ns/pvc` from `--pvc`. */
export function parsePvcRef(text: string): { namespace: string; name: string } {
  const [namespace = '', name = '', ...rest] = text.split('/');
  if (namespace === '' || name === '' || rest.length > 0) throw usageError(`--pvc ${JSON.stringify(text)} is not NAMESPACE/NAME`, 'e.g. --pvc app/data');
  return { namespace, name };
}

/** The class that snapshots a driver's volumes: the one marked default for it, else its only one. */
async function snapshotClassFor(client: KubeClient, driver: string): Promise<string> {
  const { items } = await client.list<VolumeSnapshotClass>(R.volumeSnapshotClasses, undefined);
  const forDriver = items.filter((c) => c.driver === driver);
  const chosen = forDriver.find((c) => c.metadata.annotations?.[DEFAULT_SNAPSHOT_CLASS_ANNOTATION] === 'true') ?? (forDriver.length === 1 ? forDriver[0] : undefined);
  if (chosen?.metadata.name === undefined) {
    throw new FerryError('NotFound', `no default VolumeSnapshotClass for CSI driver ${driver} (${forDriver.length} for it)`, {
      hint: `mark one with the annotation ${DEFAULT_SNAPSHOT_CLASS_ANNOTATION}: "true"`,
    });
  }
  return chosen.metadata.name;
}

/** Backups are found by their label, so a name can be used once per namespace. */
export async function dataUploadsOf(client: KubeClient, namespace: string, backup?: string): Promise<DataUpload[]> {
  const selector = backup === undefined ? BACKUP_NAME_LABEL : `${BACKUP_NAME_LABEL}=${backup}`;
  const { items } = await client.list<DataUpload>(R.dataUploads, namespace, { labelSelector: selector });
  return items;
}

/**
 * What Velero's CSI plugin does for a PVC of a `--snapshot-move-data` backup: a VolumeSnapshot of the PVC with its
 * driver's default VolumeSnapshotClass, then a DataUpload asking the data mover to move it to the repository.
 */
export async function requestBackup(client: KubeClient, request: BackupRequest): Promise<RequestedBackup> {
  const { name, namespace, pvcNamespace, pvc } = request;
  const problems = isDNS1123Subdomain(name);
  if (problems.length > 0 || name.length > 57) {
    throw usageError(`backup name ${JSON.stringify(name)} is invalid: ${problems.length > 0 ? problems.join('; ') : 'at most 57 characters'}`);
  }
  if ((await dataUploadsOf(client, namespace, name)).length > 0) {
    throw new FerryError('Conflict', `backup ${name} already exists in namespace ${namespace}`, {
      hint: `see it with \`ferry backup describe ${name} -n ${namespace}\`, pick another name, or free this one once it has ended: kubectl delete datauploads -n ${namespace} -l ${BACKUP_NAME_LABEL}=${name}`,
    });
  }
  await client.get(R.backupStorageLocations, { namespace, name: request.storageLocation });
  const claim = await client.get<PersistentVolumeClaim>(R.persistentVolumeClaims, { namespace: pvcNamespace, name: pvc });
  if (claim.status?.phase !== 'Bound') throw new FerryError('Unavailable', `PVC ${pvcNamespace}/${pvc} is ${claim.status?.phase ?? 'not bound'}: only bound volumes can be snapshotted`);
  const storageClass = claim.spec?.storageClassName ?? '';
  if (storageClass === '') throw new FerryError('ConfigInvalid', `PVC ${pvcNamespace}/${pvc} has no storage class: its volume cannot be snapshotted through CSI`);
  const sc = await client.get<StorageClass>(R.storageClasses, { name: storageClass });
  const snapshotClass = await snapshotClassFor(client, sc.provisioner);

  const labels = { [BACKUP_NAME_LABEL]: name };
  const vsMeta: ObjectMeta = { generateName: `${name}-`, namespace: pvcNamespace, labels };
  const volumeSnapshot = await client.create<VolumeSnapshot>(R.volumeSnapshots, pvcNamespace, {
    apiVersion: SNAPSHOT_API_VERSION,
    kind: 'VolumeSnapshot',
    metadata: vsMeta,
    spec: { source: { persistentVolumeClaimName: pvc }, volumeSnapshotClassName: snapshotClass },
  });
  const duMeta: ObjectMeta = { generateName: `${name}-`, namespace, labels: { ...labels, ...(claim.metadata?.uid === undefined ? {} : { 'velero.io/pvc-uid': claim.metadata.uid }) } };
  const dataUpload = await client.create<DataUpload>(R.dataUploads, namespace, {
    apiVersion: 'velero.io/v2alpha1',
    kind: 'DataUpload',
    metadata: duMeta,
    spec: {
      snapshotType: 'CSI',
      csiSnapshot: { volumeSnapshot: volumeSnapshot.metadata.name ?? '', storageClass, snapshotClass, driver: sc.provisioner },
      sourcePVC: pvc,
      datamover: request.dataMoverName ?? DEFAULT_DATA_MOVER,
      backupStorageLocation: request.storageLocation,
      sourceNamespace: pvcNamespace,
      operationTimeout: request.operationTimeout ?? '10m0s',
    },
  });
  return { dataUpload, volumeSnapshot };
}
