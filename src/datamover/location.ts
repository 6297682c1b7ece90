import { repositoryStorageFor, type Storage } from '../repository/storage/index.js';
import type { KubeClient } from '../kube/client.js';
import type { BackupStorageLocation } from '../kube/crds.js';
import { isNotFound } from '../kube/errors.js';
import type { Secret } from '../kube/models.js';
import { R } from '../kube/resources.js';
import { DEFAULT_CREDENTIALS_SECRET, REPOSITORY_SECRET, REPOSITORY_SECRET_KEY } from '../kube/velero.js';
import { FerryError } from '../util/errors.js';

function secretValue(secret: Secret, key: string): string | undefined {
  const data = secret.data?.[key];
  if (data !== undefined) return Buffer.from(data, 'base64').toString('utf8');
  return secret.stringData?.[key];
}

/** The text of the credentials file the BSL names (or Velero's default Secret); `undefined` when there is none. */
async function credentialsText(client: KubeClient, namespace: string, bsl: BackupStorageLocation): Promise<string | undefined> {
  const ref = bsl.spec.credential ?? DEFAULT_CREDENTIALS_SECRET;
  const named = bsl.spec.credential !== undefined;
  const secret = await client.find<Secret>(R.secrets, { namespace, name: ref.name });
  if (secret === undefined) {
    if (!named) return undefined;
    throw new FerryError('NotFound', `secrets "${ref.name}" not found in namespace ${namespace} (spec.credential of BackupStorageLocation ${bsl.metadata.name ?? ''})`);
  }
  const text = secretValue(secret, ref.key);
  if (text === undefined && named) throw new FerryError('NotFound', `Secret ${namespace}/${ref.name} has no key ${JSON.stringify(ref.key)} (spec.credential of BackupStorageLocation ${bsl.metadata.name ?? ''})`);
  return text;
}

/** The repository password every Ferry repository of an install shares (`ferry install` creates it). */
export async function repositoryPassword(client: KubeClient, namespace: string): Promise<string> {
  let secret: Secret;
  try {
    secret = await client.get<Secret>(R.secrets, { namespace, name: REPOSITORY_SECRET });
  } catch (err) {
    if (!isNotFound(err)) throw err;
    throw new FerryError('NotFound', `secrets "${REPOSITORY_SECRET}" not found in namespace ${namespace}: the repository password is missing`, {
      hint: `\`ferry install -n ${namespace}\` creates it`,
      cause: err,
    });
  }
  const password = secretValue(secret, REPOSITORY_SECRET_KEY);
  if (password === undefined || password === '') throw new FerryError('ConfigInvalid', `Secret ${namespace}/${REPOSITORY_SECRET} has no ${REPOSITORY_SECRET_KEY}`);
  return password;
}

/** Where one source namespace's repository lives: `<prefix>/ferry/<sourceNamespace>/` of the named BSL's bucket. */
export async function repositoryStorage(client: KubeClient, namespace: string, bslName: string, sourceNamespace: string): Promise<{ storage: Storage; bsl: BackupStorageLocation }> {
  const bsl = await client.get<BackupStorageLocation>(R.backupStorageLocations, { namespace, name: bslName });
  const storage = await repositoryStorageFor(bsl, await credentialsText(client, namespace, bsl), sourceNamespace);
  return { storage, bsl };
}
