import { readFile } from 'node:fs/promises';
import type { BackupStorageLocation } from '../kube/crds.js';
import type { ObjectMeta, Secret } from '../kube/models.js';
import { DEFAULT_CREDENTIALS_SECRET } from '../kube/velero.js';
import { FerryError, usageError } from '../util/errors.js';
import { INSTALL_LABELS } from './manifests.js';

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
  const metadata: ObjectMeta = { name: 'default', namespace, labels };
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
