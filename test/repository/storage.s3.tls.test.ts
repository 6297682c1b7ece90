import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repositoryStorageFor } from '../../src/repository/storage/bsl.js';
import { StorageError } from '../../src/repository/storage/index.js';
import { openS3Storage } from '../../src/repository/storage/s3.js';
import type { OpenS3Options } from '../../src/repository/storage/index.js';
import { startS3Server } from '../support/s3server.js';
import type { S3Server } from '../support/s3server.js';

let dir: string;
let server: S3Server | undefined;
let certPem: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-s3-tls-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  const made = spawnSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile,
  ], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  certPem = await readFile(certFile, 'utf8');
  server = await startS3Server({ tls: { keyFile, certFile } });
});
after(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function roundTrip(options: Partial<OpenS3Options>): Promise<void> {
  const s = server!;
  const storage = openS3Storage({
    endpoint: s.endpoint,
    bucket: s.bucket,
    credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey },
    retry: { maxAttempts: 2, baseDelayMs: 1 },
    ...options,
  });
  try {
    await storage.put('config', new Uint8Array([42]));
    assert.deepEqual(await storage.get('config'), new Uint8Array([42]));
  } finally {
    await storage.close();
  }
}

describe('s3 storage over TLS with a self-signed certificate', () => {
  it('refuses the certificate by default, without retrying', async () => {
    await assert.rejects(roundTrip({}), (err: unknown) => {
      assert.ok(err instanceof StorageError);
      assert.equal(err.code, 'Unavailable');
      assert.match(err.message, /self-signed certificate/);
      assert.doesNotMatch(err.message, /gave up/);
      return true;
    });
  });

  it('accepts it with insecureSkipTLSVerify or with the certificate as CA bundle', async () => {
    await roundTrip({ insecureSkipTLSVerify: true });
    await roundTrip({ caCert: certPem });
  });

  it('takes both from a BackupStorageLocation', async () => {
    const s = server!;
    const credentials = `[default]\naws_access_key_id=${s.accessKeyId}\naws_secret_access_key=${s.secretAccessKey}\n`;
    const bsl = (extra: { config?: Record<string, string>; caCert?: string }) => ({
      metadata: { name: 'tls', namespace: 'velero' },
      spec: {
        provider: 'aws',
        objectStorage: { bucket: s.bucket, prefix: 'velero', ...(extra.caCert === undefined ? {} : { caCert: extra.caCert }) },
        config: { s3Url: s.endpoint, s3ForcePathStyle: 'true', ...extra.config },
      },
    });
    for (const location of [bsl({ config: { insecureSkipTLSVerify: 'true' } }), bsl({ caCert: Buffer.from(certPem).toString('base64') })]) {
      const storage = await repositoryStorageFor(location, credentials, 'ns1');
      await storage.put('config', new Uint8Array([1]));
      assert.equal((await storage.stat('config'))?.sizeBytes, 1);
      await storage.close();
    }
  });
});
