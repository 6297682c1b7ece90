import { readFile } from 'node:fs/promises';
import type { KubeClient } from '../kube/client.js';
import type { BackupStorageLocation } from '../kube/crds.js';
import { isNotFound } from '../kube/errors.js';
import type { ObjectMeta, Secret } from '../kube/models.js';
import { R } from '../kube/resources.js';
import { DEFAULT_CREDENTIALS_SECRET } from '../kube/velero.js';
import { compareText } from '../util/compare.js';
import { FerryError, usageError } from '../util/errors.js';
import { INSTALL_LABELS } from './manifests.js';

/** The name backups use when none is given and no BackupStorageLocation is marked default (Velero's server flag default). */
export const DEFAULT_LOCATION_NAME = 'default';

/** `velero install`'s backup storage flags. */
export interface BackupStorageFlags {
  provider?: string | undefined;
  bucket?: string | undefined;
  prefix?: string | undefined;
  /** `key=value,key=value`, e.g. `region=us-east-1,s3Url=http://minio:9000,s3ForcePathStyle=true`. */
  backupLocationConfig?: string | undefined;
  secretFile?: string | undefined;
}

export function parseKeyValues(flag: string, text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of text.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw usageError(`${flag}: "${item}" is not key=value`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

export interface BackupStorage {
  location: BackupStorageLocation;
  secret: Secret | undefined;
}

/** The credentials Secret and `default` BackupStorageLocation the flags describe; `undefined` when none is given. */
export async function backupStorageFromFlags(namespace: string, flags: BackupStorageFlags): Promise<BackupStorage | undefined> {
  const given = [flags.provider, flags.bucket, flags.prefix, flags.backupLocationConfig, flags.secretFile].some((f) => f !== undefined);
  if (!given) return undefined;
  if (flags.provider !== 'aws') throw usageError(`--provider ${flags.provider ?? '(missing)'}: only aws (any S3-compatible store) is supported`, 'add --provider aws');
  if (flags.bucket === undefined || flags.bucket === '') throw usageError('--bucket is required with --provider');
  const labels = { ...INSTALL_LABELS };
  let secret: Secret | undefined;
  if (flags.secretFile !== undefined) {
    let credentials: Buffer;
    try {
      credentials = await readFile(flags.secretFile);
    } catch (err) {
      throw new FerryError('NotFound', `cannot read --secret-file ${flags.secretFile}: ${err instanceof Error ? err.message : String(err)}`);
    }
    secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: DEFAULT_CREDENTIALS_SECRET.name, namespace, labels },
      type: 'Opaque',
      data: { [DEFAULT_CREDENTIALS_SECRET.key]: credentials.toString('base64') },
    };
  }
  const metadata: ObjectMeta = { name: DEFAULT_LOCATION_NAME, namespace, labels };
  const location: BackupStorageLocation = {
    apiVersion: 'velero.io/v1',
    kind: 'BackupStorageLocation',
    metadata,
    spec: {
      provider: 'aws',
      objectStorage: { bucket: flags.bucket, ...(flags.prefix === undefined ? {} : { prefix: flags.prefix }) },
      config: parseKeyValues('--backup-location-config', flags.backupLocationConfig ?? ''),
      ...(secret === undefined ? {} : { credential: { ...DEFAULT_CREDENTIALS_SECRET } }),
      default: true,
    },
  };
  return { location, secret };
}

export interface DefaultLocation {
  name: string;
  /** `spec.default: true`, as opposed to merely being named `default`. */
  marked: boolean;
  location: BackupStorageLocation;
}

/**
 * The BackupStorageLocation a backup goes to when none is named, as Velero's backup controller picks it: the first
 * (by name) marked `spec.default`, else the one named `default`; `undefined` when neither exists (or there is no
 * BackupStorageLocation CRD yet).
 */
export async function defaultStorageLocation(client: KubeClient, namespace: string): Promise<DefaultLocation | undefined> {
  let items: BackupStorageLocation[];
  try {
    items = (await client.list<BackupStorageLocation>(R.backupStorageLocations, namespace)).items;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
  const byName = items.map((location) => ({ name: location.metadata.name ?? '', location })).sort((a, b) => compareText(a.name, b.name));
  const marked = byName.find((b) => b.location.spec.default === true);
  if (marked !== undefined) return { ...marked, marked: true };
  const named = byName.find((b) => b.name === DEFAULT_LOCATION_NAME);
  return named === undefined ? undefined : { ...named, marked: false };
}
