/** Test helpers: what `ferry install` and a user put in place before a data mover can run, against an S3 server. */
import type { KubeClient } from '../kube/client.js';
import type { BackupStorageLocation, DataUpload, DataUploadStatus } from '../kube/crds.js';
import type { ObjectMeta } from '../kube/models.js';
import { R } from '../kube/resources.js';
import { repositorySecretManifest } from '../install/manifests.js';

export interface S3Endpoint {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** A `default` BackupStorageLocation for the S3 server, its credentials Secret and the repository password Secret. */
export async function seedStorageLocation(client: KubeClient, namespace: string, s3: S3Endpoint, password = 'test-password'): Promise<void> {
  const cloud = `[default]\naws_access_key_id = ${s3.accessKeyId}\naws_secret_access_key = ${s3.secretAccessKey}\n`;
  await client.create(R.secrets, namespace, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'bsl-creds', namespace }, stringData: { cloud } });
  await client.create(R.secrets, namespace, repositorySecretManifest(namespace, password));
  const metadata: ObjectMeta = { name: 'default', namespace };
  await client.create<BackupStorageLocation>(R.backupStorageLocations, namespace, {
    apiVersion: 'velero.io/v1',
    kind: 'BackupStorageLocation',
    metadata,
    spec: {
      provider: 'aws',
      objectStorage: { bucket: s3.bucket, prefix: 'velero' },
      config: { region: s3.region, s3ForcePathStyle: 'true', s3Url: s3.endpoint },
      credential: { name: 'bsl-creds', key: 'cloud' },
    },
  });
}

/** A DataUpload for Ferry, in the given status, as a node-agent would have left it. */
export async function createDataUpload(
  client: KubeClient,
  namespace: string,
  name: string,
  { sourceNamespace = 'app', sourcePVC = 'data', datamover = 'ferry', status }: { sourceNamespace?: string; sourcePVC?: string; datamover?: string; status?: DataUploadStatus } = {},
): Promise<DataUpload> {
  const metadata: ObjectMeta = { name, namespace, labels: { 'velero.io/backup-name': name } };
  return client.create<DataUpload>(R.dataUploads, namespace, {
    apiVersion: 'velero.io/v2alpha1',
    kind: 'DataUpload',
    metadata,
    spec: {
      snapshotType: 'CSI',
      csiSnapshot: { volumeSnapshot: `${name}-vs`, storageClass: 'ferry-hostpath' },
      sourcePVC,
      sourceNamespace,
      backupStorageLocation: 'default',
      datamover,
      operationTimeout: '10m0s',
    },
    ...(status === undefined ? {} : { status }),
  });
}
