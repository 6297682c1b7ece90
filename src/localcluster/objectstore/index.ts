/**
 * @module localcluster/objectstore
 * The local cluster's S3-compatible object store, beside the cluster as people run MinIO beside kind: npm `s3rver`
 * on 127.0.0.1 with its data under `<dir>/objectstore`, a bucket `ferry`, and where to find it recorded in the
 * cluster for `ferry install`: in namespace `velero`, the Secret `ferry-local-objectstore` (key `cloud`, an AWS
 * credentials file) and the ConfigMap `ferry-local-objectstore` (`endpoint`, `bucket`, `region`,
 * `s3ForcePathStyle`). See docs/local-cluster-runtime.md.
 */
import { join } from 'node:path';
import { CoreV1Api, KubernetesObjectApi, type KubeConfig } from '@kubernetes/client-node';
import { startS3rver, type S3rver } from './s3rver.js';
import type { Logger } from '../../util/log.js';
import { createIfAbsent, MERGE_PATCH, type Manifest } from '../kubelet/api.js';

export const OBJECTSTORE_NAMESPACE = 'velero';
export const OBJECTSTORE_NAME = 'ferry-local-objectstore';
export const OBJECTSTORE_BUCKET = 'ferry';
/** The Secret key holding the credentials, as Velero's AWS plugin reads them (`--secret-file`). */
export const CREDENTIALS_KEY = 'cloud';

const LABELS = { 'app.kubernetes.io/managed-by': 'ferry-local', 'app.kubernetes.io/component': 'objectstore' };

export interface ObjectStoreOptions {
  /** The cluster directory; objects live under `<dir>/objectstore` and survive restarts. */
  dir: string;
  logger: Logger;
  /** 0 (the default): a free port. */
  port?: number;
}

export interface ObjectStore {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Stops the server; the objects stay on disk. */
  stop(): Promise<void>;
}

/** An AWS shared credentials file, the format of Velero's `cloud` secret. */
export function credentialsFile(accessKeyId: string, secretAccessKey: string): string {
  return `[default]\naws_access_key_id=${accessKeyId}\naws_secret_access_key=${secretAccessKey}\n`;
}

/** Creates the object, or brings the fields `patch` names up to date when it exists. */
async function upsert(objects: KubernetesObjectApi, apply: (body: Record<string, unknown>) => Promise<unknown>, manifest: Manifest, patch: Record<string, unknown>): Promise<void> {
  if (!(await createIfAbsent(() => objects.create(manifest)))) await apply(patch);
}

async function record(kc: KubeConfig, server: S3rver): Promise<void> {
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const core = kc.makeApiClient(CoreV1Api);
  const namespace = OBJECTSTORE_NAMESPACE;
  const name = OBJECTSTORE_NAME;
  await createIfAbsent(() => objects.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }));
  const data = { [CREDENTIALS_KEY]: Buffer.from(credentialsFile(server.accessKeyId, server.secretAccessKey)).toString('base64') };
  await upsert(
    objects,
    (body) => core.patchNamespacedSecret({ name, namespace, body }, MERGE_PATCH),
    { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace, labels: LABELS }, type: 'Opaque', data },
    { data },
  );
  const config = { endpoint: server.endpoint, bucket: server.bucket, region: server.region, s3ForcePathStyle: 'true' };
  await upsert(
    objects,
    (body) => core.patchNamespacedConfigMap({ name, namespace, body }, MERGE_PATCH),
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, labels: LABELS }, data: config },
    { data: config },
  );
}

export async function startObjectStore(kc: KubeConfig, opts: ObjectStoreOptions): Promise<ObjectStore> {
  const { dir, logger, port = 0 } = opts;
  const log = logger.child({ component: 'objectstore' });
  const directory = join(dir, 'objectstore');
  let server = await startS3rver({ bucket: OBJECTSTORE_BUCKET, directory, port });
  try {
    await record(kc, server);
  } catch (err) {
    await server.stop();
    throw err;
  }
  log.info({ endpoint: server.endpoint, bucket: server.bucket }, 'object store started');
  let stopping = false;
  // s3rver is a test server and has been seen to die under load; the store's data is on disk, so bring it back on
  // the same port (the BackupStorageLocation points there) rather than fail every later backup.
  const supervise = (current: S3rver, listenPort: number): void => {
    void current.exited.then(async ({ code, signal, output }) => {
      if (stopping) return;
      log.warn({ code, signal, output: output.trim().split('\n').slice(-5).join(' | ') }, 'object store exited; restarting it');
      try {
        server = await startS3rver({ bucket: OBJECTSTORE_BUCKET, directory, port: listenPort });
        supervise(server, listenPort);
      } catch (err) {
        log.error({ err: err instanceof Error ? err.message : String(err) }, 'object store could not be restarted');
      }
    });
  };
  const listenPort = Number(new URL(server.endpoint).port);
  supervise(server, listenPort);
  const { endpoint, bucket, region, accessKeyId, secretAccessKey } = server;
  return {
    endpoint,
    bucket,
    region,
    accessKeyId,
    secretAccessKey,
    stop: () => {
      stopping = true;
      return server.stop();
    },
  };
}
