import { randomBytes } from 'node:crypto';
import { isDefaultStorageClass } from '../kube/annotations.js';
import type { KubeClient } from '../kube/client.js';
import type { DataDownload, DataUpload } from '../kube/crds.js';
import { isAlreadyExists, isNotFound } from '../kube/errors.js';
import type { Namespace, ObjectMeta, PersistentVolumeClaim, StorageClass } from '../kube/models.js';
import { isDNS1123Label, isDNS1123Subdomain } from '../kube/names.js';
import { R } from '../kube/resources.js';
import { DEFAULT_DATA_MOVER } from '../kube/velero.js';
import { errorMessage, FerryError, isFerryError, usageError, type FerryErrorCode } from '../util/errors.js';
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
  /** Told what was done besides the PVCs and DataDownloads returned: `created namespace app5`. */
  report?: (line: string) => void;
}

/** `old:new` pairs from `--namespace-mapping` (repeatable, or comma-separated). */
export function parseNamespaceMapping(values: readonly string[]): Map<string, string> {
  const mapping = new Map<string, string>();
  for (const pair of values.flatMap((v) => v.split(','))) {
    const [from = '', to = '', ...rest] = pair.split(':');
    if (from === '' || to === '' || rest.length > 0) throw usageError(`--namespace-mapping ${JSON.stringify(pair)} is not OLD:NEW`, 'e.g. --namespace-mapping app:app-restored');
    const invalid = isDNS1123Label(to);
    if (invalid.length > 0) throw usageError(`--namespace-mapping ${JSON.stringify(pair)}: ${JSON.stringify(to)} is not a valid namespace name: ${invalid.join('; ')}`);
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
  let du: DataUpload;
  try {
    du = await client.get<DataUpload>(R.dataUploads, { namespace, name: dataUpload });
  } catch (err) {
    if (!isNotFound(err)) throw err;
    throw new FerryError('NotFound', `DataUpload ${dataUpload} not found in namespace ${namespace}`, {
      hint: `list the DataUploads with \`kubectl get datauploads -n ${namespace}\` (their backups with \`ferry backup get -n ${namespace}\`), or restore a whole backup with --from-backup`,
      cause: err,
    });
  }
  requireCompleted(du);
  return { dataUpload: du, target, storageClass: storageClass ?? du.spec.csiSnapshot?.storageClass ?? '', size: await sourceSize(client, du) };
}

/** Something that stops a restore before anything is created, with what to do about it. */
interface Problem {
  code: FerryErrorCode;
  message: string;
  hint?: string;
}

const pvcName = (t: { namespace: string; name: string }): string => `${t.namespace}/${t.name}`;

/** The names of the cluster's storage classes, the default one marked: for hints. */
async function storageClassNames(client: KubeClient): Promise<string> {
  const { items } = await client.list<StorageClass>(R.storageClasses, undefined);
  if (items.length === 0) return 'this cluster has no storage class';
  const names = items.map((sc) => `${sc.metadata?.name ?? ''}${isDefaultStorageClass(sc) ? ' (default)' : ''}`).sort();
  return `the storage classes in this cluster are ${names.join(', ')}`;
}

/** Every target PVC's storage class must exist (a missing one leaves the restore waiting until its timeout). */
async function storageClassProblems(client: KubeClient, items: readonly RestoreItem[]): Promise<Problem[]> {
  const byClass = new Map<string, RestoreItem[]>();
  for (const item of items) byClass.set(item.storageClass, [...(byClass.get(item.storageClass) ?? []), item]);
  const problems: Problem[] = [];
  for (const [storageClass, users] of byClass) {
    const targets = users.map((i) => pvcName(i.target)).join(', ');
    if (storageClass === '') {
      const { items: classes } = await client.list<StorageClass>(R.storageClasses, undefined);
      if (!classes.some(isDefaultStorageClass)) {
        problems.push({ code: 'NotFound', message: `PVC ${targets} would get no storage class: its source had none and the cluster has no default storage class`, hint: await storageClassNames(client) });
      }
      continue;
    }
    if ((await client.find(R.storageClasses, { name: storageClass })) !== undefined) continue;
    const fromSource = users.every((i) => i.storageClass === i.dataUpload.spec.csiSnapshot?.storageClass);
    const [first] = users;
    const instead =
      fromSource && first !== undefined
        ? `; it is the source PVC's class: create it, or restore into another class with \`ferry restore create NAME --data-upload ${first.dataUpload.metadata.name ?? ''} --target-pvc ${pvcName(first.target)} --storage-class CLASS\``
        : '';
    problems.push({ code: 'NotFound', message: `storage class "${storageClass}" not found (for PVC ${targets})`, hint: `${await storageClassNames(client)}${instead}` });
  }
  return problems;
}

/**
 * Everything that can be known before a restore creates anything, for all its volumes at once: its name is valid
 * and unused; no two volumes share a target; no target PVC exists; every target namespace exists or can be created;
 * every storage class exists. Returns the target namespaces to create; throws with every problem found.
 */
export async function checkRestore(client: KubeClient, request: RestoreRequest): Promise<{ namespacesToCreate: string[] }> {
  const { name, namespace, items } = request;
  const invalid = isDNS1123Subdomain(name);
  if (invalid.length > 0 || name.length > 57) throw usageError(`restore name ${JSON.stringify(name)} is invalid: ${invalid.length > 0 ? invalid.join('; ') : 'at most 57 characters'}`);
  const existing = await client.list<DataDownload>(R.dataDownloads, namespace, { labelSelector: `${RESTORE_NAME_LABEL}=${name}` });
  if (existing.items.length > 0) {
    throw new FerryError('Conflict', `restore ${name} already exists in namespace ${namespace}`, {
      hint: `see it with \`ferry restore describe ${name} -n ${namespace}\`, pick another name, or free this one once it has ended: kubectl delete datadownloads -n ${namespace} -l ${RESTORE_NAME_LABEL}=${name}`,
    });
  }
  const problems: Problem[] = [];
  const targets = items.map((i) => pvcName(i.target));
  for (const target of new Set(targets.filter((t, i) => targets.indexOf(t) !== i))) {
    problems.push({ code: 'Conflict', message: `${targets.filter((t) => t === target).length} volumes would be restored into PVC ${target}`, hint: 'map their namespaces apart with --namespace-mapping' });
  }
  const namespacesToCreate: string[] = [];
  for (const ns of new Set(items.map((i) => i.target.namespace))) {
    const found = await client.find<Namespace>(R.namespaces, { name: ns });
    if (found === undefined) namespacesToCreate.push(ns);
    else if (found.metadata?.deletionTimestamp !== undefined) problems.push({ code: 'Conflict', message: `namespace ${ns} is being deleted`, hint: 'wait until it is gone (it is then created again), or restore into another namespace with --namespace-mapping' });
  }
  for (const { target } of items) {
    if (namespacesToCreate.includes(target.namespace)) continue;
    if ((await client.find(R.persistentVolumeClaims, target)) !== undefined) {
      problems.push({ code: 'Conflict', message: `PVC ${pvcName(target)} already exists`, hint: 'delete it first, or restore into another namespace with --namespace-mapping' });
    }
  }
  problems.push(...(await storageClassProblems(client, items)));
  const [first] = problems;
  if (first !== undefined) {
    const hints = [...new Set(problems.flatMap((p) => (p.hint === undefined ? [] : [p.hint])))];
    throw new FerryError(first.code, problems.map((p) => p.message).join('; '), hints.length === 0 ? {} : { hint: hints.join('; ') });
  }
  return { namespacesToCreate };
}

/** What a restore has created so far: said when a later step fails, with the commands that remove it. */
class Created {
  private readonly namespaces: string[] = [];
  private readonly claims: { namespace: string; name: string }[] = [];
  private readonly downloads: string[] = [];

  constructor(private readonly request: RestoreRequest) {}

  namespace(name: string): void {
    this.namespaces.push(name);
    this.request.report?.(`created namespace ${name}`);
  }

  claim(target: { namespace: string; name: string }): void {
    this.claims.push(target);
  }

  download(dd: DataDownload): void {
    this.downloads.push(dd.metadata.name ?? '');
  }

  /** The error of a failed step, saying what is left and how to remove it (DataDownloads first, so none runs). */
  failure(err: unknown): unknown {
    const { name, namespace } = this.request;
    if (this.namespaces.length + this.claims.length + this.downloads.length === 0) return err;
    const left = [
      ...this.downloads.map((dd) => `DataDownload ${namespace}/${dd}`),
      ...this.claims.map((c) => `PVC ${pvcName(c)}`),
      ...this.namespaces.map((ns) => `namespace ${ns}`),
    ];
    const commands: string[] = [];
    if (this.downloads.length > 0) commands.push(`kubectl delete datadownloads -n ${namespace} -l ${RESTORE_NAME_LABEL}=${name}`);
    for (const ns of new Set(this.claims.map((c) => c.namespace))) {
      if (!this.namespaces.includes(ns)) commands.push(`kubectl delete pvc -n ${ns} ${this.claims.filter((c) => c.namespace === ns).map((c) => c.name).join(' ')}`);
    }
    if (this.namespaces.length > 0) commands.push(`kubectl delete namespace ${this.namespaces.join(' ')}`);
    return new FerryError(isFerryError(err) ? err.code : 'Internal', `restore ${name} stopped half-way: ${errorMessage(err)}; already created: ${left.join(', ')}`, {
      hint: `remove them before trying again: ${commands.join(' && ')}`,
      cause: err,
    });
  }
}

/**
 * What Velero's restore does for a data-moved PVC: the target PVC (with a selector so that only the restored
 * volume binds it), then a DataDownload asking the data mover to fill it; missing target namespaces are created
 * first, as Velero's restore does. Everything is checked for every volume before anything is created
 * (`checkRestore`); a target PVC that exists is an error: restoring over a user's volume is never silent.
 */
export async function requestRestore(client: KubeClient, request: RestoreRequest): Promise<DataDownload[]> {
  const { name, namespace, items } = request;
  const { namespacesToCreate } = await checkRestore(client, request);
  const labels = { [RESTORE_NAME_LABEL]: name };
  const ddMeta: ObjectMeta = { generateName: `${name}-`, namespace, labels };
  const created = new Created(request);
  const downloads: DataDownload[] = [];
  try {
    for (const ns of namespacesToCreate) {
      try {
        await client.create<Namespace>(R.namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
        created.namespace(ns);
      } catch (err) {
        // Someone else made it meanwhile: it is theirs, and there is nothing to undo.
        if (!isAlreadyExists(err)) throw err;
      }
    }
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
        if (isAlreadyExists(err)) throw new FerryError('Conflict', `PVC ${pvcName(target)} already exists`, { cause: err });
        throw err;
      }
      created.claim(target);
      const dd = await client.create<DataDownload>(R.dataDownloads, namespace, {
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
      });
      created.download(dd);
      downloads.push(dd);
    }
  } catch (err) {
    throw created.failure(err);
  }
  return downloads;
}

/** The DataDownloads of a restore, or of every restore. */
export async function dataDownloadsOf(client: KubeClient, namespace: string, restore?: string): Promise<DataDownload[]> {
  const selector = restore === undefined ? RESTORE_NAME_LABEL : `${RESTORE_NAME_LABEL}=${restore}`;
  const { items } = await client.list<DataDownload>(R.dataDownloads, namespace, { labelSelector: selector });
  return items;
}
