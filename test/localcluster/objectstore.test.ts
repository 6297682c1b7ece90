// The local object store: a real S3 server whose endpoint and credentials, read back from the cluster, work.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CoreV1Api } from '@kubernetes/client-node';
import { OBJECTSTORE_NAME, OBJECTSTORE_NAMESPACE, startObjectStore, type ObjectStore } from '../../src/localcluster/objectstore/index.js';
import { createLogger } from '../../src/util/log.js';
import { startTestApiServer, type TestApiServer } from '../support/apiserver.js';

const logger = createLogger({ level: 'silent' });

/** An S3 client from what the cluster records, as `ferry install` would build the BackupStorageLocation. */
async function clientFromCluster(core: CoreV1Api): Promise<{ s3: S3Client; bucket: string }> {
  const cm = await core.readNamespacedConfigMap({ name: OBJECTSTORE_NAME, namespace: OBJECTSTORE_NAMESPACE });
  const secret = await core.readNamespacedSecret({ name: OBJECTSTORE_NAME, namespace: OBJECTSTORE_NAMESPACE });
  const file = Buffer.from(secret.data?.['cloud'] ?? '', 'base64').toString('utf8');
  const value = (key: string): string => new RegExp(`^${key}=(.*)$`, 'm').exec(file)?.[1] ?? '';
  const data = cm.data ?? {};
  const s3 = new S3Client({
    endpoint: data['endpoint'] ?? '',
    region: data['region'] ?? '',
    forcePathStyle: data['s3ForcePathStyle'] === 'true',
    credentials: { accessKeyId: value('aws_access_key_id'), secretAccessKey: value('aws_secret_access_key') },
    // s3rver stores streamed uploads corrupt when the SDK adds its default checksums.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return { s3, bucket: data['bucket'] ?? '' };
}

describe('local object store', { timeout: 120_000 }, () => {
  let api: TestApiServer;
  let core: CoreV1Api;
  let store: ObjectStore | undefined;

  before(async () => {
    api = await startTestApiServer();
    core = api.kc.makeApiClient(CoreV1Api);
  });
  after(async () => {
    await store?.stop();
    await api.close();
  });

  it('records endpoint, bucket, region and credentials in velero, and answers S3 calls made with them', async () => {
    store = await startObjectStore(api.kc, { dir: api.dir, logger });
    const cm = await core.readNamespacedConfigMap({ name: OBJECTSTORE_NAME, namespace: OBJECTSTORE_NAMESPACE });
    assert.deepEqual(cm.data, { endpoint: store.endpoint, bucket: 'ferry', region: 'us-east-1', s3ForcePathStyle: 'true' });
    assert.match(store.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    const secret = await core.readNamespacedSecret({ name: OBJECTSTORE_NAME, namespace: OBJECTSTORE_NAMESPACE });
    assert.match(Buffer.from(secret.data?.['cloud'] ?? '', 'base64').toString(), /^\[default\]\naws_access_key_id=\S+\naws_secret_access_key=\S+\n$/);

    const { s3, bucket } = await clientFromCluster(core);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'backups/hello.txt', Body: 'hello, ferry' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'backups/hello.txt' }));
    assert.equal(await got.Body?.transformToString(), 'hello, ferry');
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'backups/' }));
    assert.deepEqual(listed.Contents?.map((o) => o.Key), ['backups/hello.txt']);
    s3.destroy();
  });

  it('keeps objects across restarts and updates the recorded endpoint', async () => {
    await store?.stop();
    store = await startObjectStore(api.kc, { dir: api.dir, logger });
    const { s3, bucket } = await clientFromCluster(core);
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'backups/hello.txt' }));
    assert.equal(await got.Body?.transformToString(), 'hello, ferry');
    s3.destroy();
  });

  it('comes back on the same endpoint with its objects when the server process dies', async () => {
    const directory = join(api.dir, 'objectstore');
    const ps = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
    const line = ps.stdout.split('\n').find((l) => l.includes('s3rver') && l.includes(directory));
    assert.ok(line, `no s3rver process serving ${directory}`);
    process.kill(Number(line.trim().split(/\s+/)[0]), 'SIGKILL');
    const { s3, bucket } = await clientFromCluster(core);
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'backups/hello.txt' }));
        assert.equal(await got.Body?.transformToString(), 'hello, ferry');
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    s3.destroy();
  });

  it('refuses other credentials and stops serving on stop()', async () => {
    const endpoint = store?.endpoint ?? '';
    const wrong = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'nobody', secretAccessKey: 'nothing' } });
    await assert.rejects(wrong.send(new ListObjectsV2Command({ Bucket: 'ferry' })));
    wrong.destroy();
    await store?.stop();
    store = undefined;
    await assert.rejects(fetch(endpoint));
  });
});
