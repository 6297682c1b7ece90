import { randomBytes } from 'node:crypto';
import type { KubeClient } from '../kube/client.js';
import type { DataDownload, DataUpload } from '../kube/crds.js';
import { isAlreadyExists } from '../kube/errors.js';
import type { ObjectMeta, PersistentVolumeClaim } from '../kube/models.js';
import { isDNS1123Subdomain } from '../kube/names.js';
import { R } from '../kube/resources.js';
import { DEFAULT_DATA_MOVER } from '../kube/velero.js';
import { FerryError, usageError } from '../util/errors.js';
import { dataUploadsOf } from './request.js';

/** On DataDownloads and the target PVCs made for them: the restore they belong to (Velero's label). */
export const RESTORE_NAME_LABEL = 'velero.io/restore-name';
/**
 * Velero's label on a restored PV, and the target PVC's selector on it: a claim with a selector is never
 * provisioned dynamically, so the target PVC waits for the restored volume instead of getting an empty one.
 */
export const DYNAMIC_PV_RESTORE_LABEL = 'velero.io/dynamic-pv-restore';

/** What one DataDownload restores: a completed DataUpload's snapshot into a target PVC. */
export interface RestoreItem {
  dataUpload: DataUpload;
  target: { namespace: string; name: string };
  storageClass: string;
  /** The target PVC's requested size. */
  size: string;
}

export interface RestoreRequest {
  name: string;
  /** The install namespace, where the DataUploads and DataDownloads are. */
  namespace: string;
  items: readonly RestoreItem[];
  dataMoverName?: string;
  operationTimeout?: string;
}

/** `old:new` pairs from `--namespace-mapping` (repeatable, or comma-separated). */
export function parseNamespaceMapping(values: readonly string[]): Map<string, string> {
  const mapping = new Map<string, string>();
  for (const pair of values.flatMap((v) => v.split(','))) {
    const [from = '', to = '', ...rest] = pair.split(':');
    if (from === '' || to === '' || rest.length > 0) throw usageError(`--namespace-mapping ${JSON.stringify(pair)} is not OLD:NEW`, 'e.g. --namespace-mapping app:app-restored');
    mapping.set(from, to);
  }
  return mapping;
}

/** `ns/pvc` from `--target-pvc`. */
export function parseTargetPvc(text: string): { namespace: string; name: string } {
  const [namespace = '', name = '', ...rest] = text.split('/');
  if (namespace === '' || name === '' || rest.length > 0) throw usageError(`--target-pvc ${JSON.stringify(text)} is not NAMESPACE/NAME`, 'e.g. --target-pvc app/data');
  return { namespace, name };
}

function requireCompleted(du: DataUpload): void {
  if (du.status?.phase !== 'Completed' || du.status.snapshotID === undefined || du.status.snapshotID === '') {
    throw new FerryError('Unavailable', `DataUpload ${du.metadata.name ?? ''} is ${du.status?.phase ?? 'New'}: only completed uploads can be restored`);
  }
}

/** Size of the source PVC when it still exists; else the backed-up bytes rounded up to whole GiB (at least 1Gi). */
async function sourceSize(client: KubeClient, du: DataUpload): Promise<string> {
  const source = await client.find<PersistentVolumeClaim>(R.persistentVolumeClaims, { namespace: du.spec.sourceNamespace, name: du.spec.sourcePVC });
  const requested = source?.spec?.resources?.requests?.storage;
  if (requested !== undefined && requested !== '') return requested;
  const gib = Math.max(1, Math.ceil((du.status?.progress?.totalBytes ?? 0) / 2 ** 30));
  return `${gib}Gi`;
}

/** One item per completed DataUpload of a backup, into the source PVC's name in the (mapped) namespace. */
export async function itemsFromBackup(client: KubeClient, namespace: string, backup: string, mapping: ReadonlyMap<string, string>): Promise<RestoreItem[]> {
  const uploads = await dataUploadsOf(client, namespace, backup);
  if (uploads.length === 0) throw new FerryError('NotFound', `backup ${backup} not found in namespace ${namespace}`, { hint: `list backups with \`ferry backup get -n ${namespace}\`` });
  const completed = uploads.filter((du) => du.status?.phase === 'Completed' && (du.status.snapshotID ?? '') !== '');
  if (completed.length === 0) throw new FerryError('Unavailable', `backup ${backup} has no completed DataUpload to restore`);
  return Promise.all(
    completed.map(async (du) => ({
      dataUpload: du,
      target: { namespace: mapping.get(du.spec.sourceNamespace) ?? du.spec.sourceNamespace, name: du.spec.sourcePVC },
      storageClass: du.spec.csiSnapshot?.storageClass ?? '',
      size: await sourceSize(client, du),
    })),
  );
}

/** The item of `--data-upload DU --target-pvc NS/PVC [--storage-class SC]`. */
export async function itemFromDataUpload(client: KubeClient, namespace: string, dataUpload: string, target: { namespace: string; name: string }, storageClass: string | undefined): Promise<RestoreItem> {
  const du = await client.get<DataUpload>(R.dataUploads, { namespace, name: dataUpload });
  requireCompleted(du);
  return { dataUpload: du, target, storageClass: storageClass ?? du.spec.csiSnapshot?.storageClass ?? '', size: await sourceSize(client, du) };
}

/**
 * What Velero's restore does for a data-moved PVC: the target PVC (with a selector so that only the restored
 * volume binds it), then a DataDownload asking the data mover to fill it. A target PVC that exists is an error:
 * restoring over a user's volume is never silent.
 */
export async function requestRestore(client: KubeClient, request: RestoreRequest): Promise<DataDownload[]> {
  const { name, namespace, items } = request;
  const problems = isDNS1123Subdomain(name);
  if (problems.length > 0 || name.length > 57) throw usageError(`restore name ${JSON.stringify(name)} is invalid: ${problems.length > 0 ? problems.join('; ') : 'at most 57 characters'}`);
  const existing = await client.list<DataDownload>(R.dataDownloads, namespace, { labelSelector: `${RESTORE_NAME_LABEL}=${name}` });
  if (existing.items.length > 0) throw new FerryError('Conflict', `restore ${name} already exists in namespace ${namespace}`, { hint: `see it with \`ferry restore describe ${name}\`, or pick another name` });
  for (const { target } of items) {
    if ((await client.find(R.persistentVolumeClaims, target)) !== undefined) {
      throw new FerryError('Conflict', `PVC ${target.namespace}/${target.name} already exists`, { hint: 'delete it first, or restore into another namespace with --namespace-mapping' });
    }
  }
  const labels = { [RESTORE_NAME_LABEL]: name };
  const ddMeta: ObjectMeta = { generateName: `${name}-`, namespace, labels };
  const created: DataDownload[] = [];
  for (const item of items) {
    const { target, dataUpload: du } = item;
    const selectorValue = `${target.namespace}.${target.name}.${randomBytes(4).toString('hex')}`.slice(0, 63);
    try {
      await client.create<PersistentVolumeClaim>(R.persistentVolumeClaims, target.namespace, {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: target.name, namespace: target.namespace, labels },
        spec: {
          accessModes: ['ReadWriteOnce'],
          ...(item.storageClass === '' ? {} : { storageClassName: item.storageClass }),
          resources: { requests: { storage: item.size } },
          selector: { matchLabels: { [DYNAMIC_PV_RESTORE_LABEL]: selectorValue } },
          volumeMode: 'Filesystem',
        },
      });
    } catch (err) {
      if (isAlreadyExists(err)) throw new FerryError('Conflict', `PVC ${target.namespace}/${target.name} already exists`, { cause: err });
      throw err;
    }
    created.push(
      await client.create<DataDownload>(R.dataDownloads, namespace, {
        apiVersion: 'velero.io/v2alpha1',
        kind: 'DataDownload',
        metadata: ddMeta,
        spec: {
          targetVolume: { pvc: target.name, pv: '', namespace: target.namespace },
          backupStorageLocation: du.spec.backupStorageLocation,
          datamover: request.dataMoverName ?? DEFAULT_DATA_MOVER,
          snapshotID: du.status?.snapshotID ?? '',
          sourceNamespace: du.spec.sourceNamespace,
          operationTimeout: request.operationTimeout ?? '10m0s',
          ...(du.status?.progress?.totalBytes === undefined ? {} : { snapshotSize: du.status.progress.totalBytes }),
        },
      }),
    );
  }
  return created;
}

/** The DataDownloads of a restore, or of every restore. */
export async function dataDownloadsOf(client: KubeClient, namespace: string, restore?: string): Promise<DataDownload[]> {
  const selector = restore === undefined ? RESTORE_NAME_LABEL : `${RESTORE_NAME_LABEL}=${restore}`;
  const { items } = await client.list<DataDownload>(R.dataDownloads, namespace, { labelSelector: selector });
  return items;
}
