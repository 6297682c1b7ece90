/**
 * Velero BackupStorageLocation (`velero.io/v1`) → S3 store, read the way Velero's AWS plugin reads it:
 * `spec.provider` `aws` / `velero.io/aws`; `spec.objectStorage.bucket`, `.prefix`, `.caCert`; `spec.config.region`,
 * `.s3Url`, `.s3ForcePathStyle`, `.insecureSkipTLSVerify`, `.profile`; credentials from the Secret named by
 * `spec.credential`, in AWS credentials-file format. Ferry's repository for a volume lives under
 * `<prefix>/ferry/<source namespace>/`, next to Velero's own `backups/` and `kopia/` folders.
 */
import type { V1ObjectMeta } from '@kubernetes/client-node';
import { isDNS1123Label } from '../../kube/names.js';
import { FerryError } from '../../util/errors.js';
import { checkEndpoint } from './endpoint.js';
import type { OpenS3Options } from './s3.js';
import type { S3Credentials } from './s3client.js';
import type { Storage } from './types.js';

/** The parts of a BackupStorageLocation read here; `kube/crds.ts`'s `BackupStorageLocation` fits it. */
export interface BackupStorageLocationLike {
  metadata?: Pick<V1ObjectMeta, 'name' | 'namespace'>;
  spec?: {
    provider?: string;
    objectStorage?: { bucket?: string; prefix?: string; caCert?: string };
    config?: Record<string, string>;
    credential?: { name?: string; key?: string };
  };
}

const AWS_PROVIDERS = new Set(['aws', 'velero.io/aws']);

/** Folder under the BSL prefix that holds Ferry's repositories. */
export const REPOSITORY_FOLDER = 'ferry';

/**
 * S3 settings for a BSL. `credentialsFileText` is the content of the Secret key the BSL names (or of Velero's
 * default `cloud-credentials`); without it the SDK's standard chain applies (environment, IRSA, instance roles).
 */
export function s3OptionsFromBackupStorageLocation(bsl: BackupStorageLocationLike, credentialsFileText: string | undefined): OpenS3Options {
  const name = bslName(bsl);
  const invalid = (field: string, problem: string, hint?: string): FerryError =>
    new FerryError('ConfigInvalid', `BackupStorageLocation ${name}: ${field} ${problem}`, hint === undefined ? {} : { hint });
  const spec = bsl.spec ?? {};
  const config = spec.config ?? {};

  const provider = spec.provider ?? '';
  if (!AWS_PROVIDERS.has(provider)) {
    throw invalid(
      'spec.provider',
      provider === '' ? 'is not set' : `is "${provider}", which Ferry cannot use`,
      'Ferry stores repositories in S3-compatible object storage: use a BackupStorageLocation with provider "aws" (or "velero.io/aws")',
    );
  }
  const bucket = spec.objectStorage?.bucket ?? '';
  if (bucket === '') throw invalid('spec.objectStorage.bucket', 'is not set');
  if (bucket.includes('/')) throw invalid('spec.objectStorage.bucket', `"${bucket}" contains "/"`, 'put the path inside the bucket in spec.objectStorage.prefix');
  const prefix = (spec.objectStorage?.prefix ?? '').replace(/^\/+|\/+$/g, '');
  if (prefix.split('/').some((s) => s === '.' || s === '..')) throw invalid('spec.objectStorage.prefix', `"${prefix}" has a "." or ".." segment`);

  const endpoint = config.s3Url === undefined || config.s3Url === '' ? undefined : config.s3Url;
  if (endpoint !== undefined) {
    try {
      checkEndpoint(endpoint);
    } catch {
      throw invalid('spec.config.s3Url', `is "${endpoint}", not an http(s) URL`, 'e.g. https://minio.velero.svc:9000');
    }
  }
  const flag = (key: string): boolean => {
    const value = config[key];
    if (value === undefined || value === '') return false;
    const parsed = parseGoBool(value);
    if (parsed === undefined) throw invalid(`spec.config.${key}`, `is "${value}", not a boolean`, 'use "true" or "false"');
    return parsed;
  };

  const options: OpenS3Options = {
    bucket,
    prefix,
    forcePathStyle: flag('s3ForcePathStyle'),
    insecureSkipTLSVerify: flag('insecureSkipTLSVerify'),
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(config.region === undefined || config.region === '' ? {} : { region: config.region }),
  };
  const caCert = spec.objectStorage?.caCert;
  if (caCert !== undefined && caCert !== '') options.caCert = Buffer.from(caCert, 'base64').toString('utf8');
  if (credentialsFileText !== undefined) {
    const profile = config.profile === undefined || config.profile === '' ? 'default' : config.profile;
    const source = spec.credential?.name === undefined ? 'the credentials file' : `Secret ${spec.credential.name} key ${spec.credential.key ?? '?'} (spec.credential)`;
    try {
      options.credentials = parseAwsCredentialsFile(credentialsFileText, profile);
    } catch (err) {
      if (!(err instanceof FerryError)) throw err;
      throw new FerryError('ConfigInvalid', `BackupStorageLocation ${name}: ${source}: ${err.message}`, {
        hint: profile === 'default' ? 'set spec.config.profile to the profile the Secret defines, or add a [default] section' : 'check spec.config.profile against the Secret',
      });
    }
  }
  return options;
}

/** The store for one source namespace's volumes: `<prefix>/ferry/<namespace>/` in the BSL's bucket. */
export async function repositoryStorageFor(bsl: BackupStorageLocationLike, credentialsFileText: string | undefined, sourceNamespace: string): Promise<Storage> {
  const problems = isDNS1123Label(sourceNamespace);
  if (problems.length > 0) {
    throw new FerryError('ConfigInvalid', `invalid source namespace "${sourceNamespace}": ${problems.join('; ')}`);
  }
  const options = s3OptionsFromBackupStorageLocation(bsl, credentialsFileText);
  const base = options.prefix === undefined || options.prefix === '' ? '' : `${options.prefix}/`;
  // Loaded on demand, like in openStorage: the AWS SDK costs ~25 MB and a few hundred ms to load.
  const { openS3Storage } = await import('./s3.js');
  return openS3Storage({ ...options, prefix: `${base}${REPOSITORY_FOLDER}/${sourceNamespace}` });
}

/**
 * The keys of one profile in an AWS credentials file (INI: `[name]` or `[profile name]` sections, `key = value`
 * lines, `#`/`;` comments).
 */
export function parseAwsCredentialsFile(text: string, profile: string): S3Credentials {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[\s*(?:profile\s+)?([^\]]+?)\s*\]$/.exec(line);
    if (header?.[1] !== undefined) {
      current = sections.get(header[1]) ?? new Map<string, string>();
      sections.set(header[1], current);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) throw new FerryError('ConfigInvalid', `line ${index + 1} of the AWS credentials file is neither [profile] nor key = value`);
    if (current === undefined) throw new FerryError('ConfigInvalid', `line ${index + 1} of the AWS credentials file comes before any [profile] header`);
    current.set(line.slice(0, eq).trim().toLowerCase(), line.slice(eq + 1).trim());
  }
  const section = sections.get(profile);
  if (section === undefined) {
    const found = [...sections.keys()];
    throw new FerryError('ConfigInvalid', `the AWS credentials file has no [${profile}] profile (${found.length === 0 ? 'it has none' : `it has ${found.map((p) => `[${p}]`).join(', ')}`})`);
  }
  const accessKeyId = section.get('aws_access_key_id') ?? '';
  const secretAccessKey = section.get('aws_secret_access_key') ?? '';
  const missing = [accessKeyId === '' ? 'aws_access_key_id' : '', secretAccessKey === '' ? 'aws_secret_access_key' : ''].filter((k) => k !== '');
  if (missing.length > 0) throw new FerryError('ConfigInvalid', `profile [${profile}] of the AWS credentials file has no ${missing.join(' or ')}`);
  const sessionToken = section.get('aws_session_token') ?? '';
  return { accessKeyId, secretAccessKey, ...(sessionToken === '' ? {} : { sessionToken }) };
}

function bslName(bsl: BackupStorageLocationLike): string {
  const { name = '?', namespace } = bsl.metadata ?? {};
  return namespace === undefined ? name : `${namespace}/${name}`;
}

/** Go's strconv.ParseBool, which Velero's AWS plugin uses for these flags. */
function parseGoBool(value: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return undefined;
}
