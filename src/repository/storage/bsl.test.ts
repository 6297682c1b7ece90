import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import type { BackupStorageLocation } from '../../kube/crds.js';
import { FerryError } from '../../util/errors.js';
import { startS3rver } from '../../localcluster/objectstore/s3rver.js';
import { parseAwsCredentialsFile, repositoryStorageFor, s3OptionsFromBackupStorageLocation } from './bsl.js';
import type { BackupStorageLocationLike } from './bsl.js';

interface TestBsl extends BackupStorageLocationLike {
  metadata: { name: string; namespace: string };
  spec: {
    provider: string;
    objectStorage: { bucket: string; prefix?: string; caCert?: string };
    config?: Record<string, string>;
    credential?: { name: string; key: string };
  };
}

const CREDENTIALS = `# written by velero install
[default]
aws_access_key_id = AKIDDEFAULT
aws_secret_access_key=secretdefault

[profile backup]
aws_access_key_id=AKIDBACKUP
aws_secret_access_key = secret=with=equals
aws_session_token = token123
`;

function bsl(spec: Partial<TestBsl['spec']> = {}): TestBsl {
  return {
    metadata: { name: 'default', namespace: 'velero' },
    spec: {
      provider: 'aws',
      objectStorage: { bucket: 'backups', prefix: 'cluster-a' },
      config: { region: 'eu-west-1' },
      credential: { name: 'cloud-credentials', key: 'cloud' },
      ...spec,
    },
  };
}

function configError(pattern: RegExp) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof FerryError, String(err));
    assert.equal(err.code, 'ConfigInvalid');
    assert.match(err.message, pattern);
    return true;
  };
}

describe('parseAwsCredentialsFile', () => {
  it('reads the default profile and a named one, with session token and "=" in values', () => {
    assert.deepEqual(parseAwsCredentialsFile(CREDENTIALS, 'default'), { accessKeyId: 'AKIDDEFAULT', secretAccessKey: 'secretdefault' });
    assert.deepEqual(parseAwsCredentialsFile(CREDENTIALS.replaceAll('\n', '\r\n'), 'backup'), {
      accessKeyId: 'AKIDBACKUP',
      secretAccessKey: 'secret=with=equals',
      sessionToken: 'token123',
    });
  });

  it('names the missing profile and the ones present', () => {
    assert.throws(() => parseAwsCredentialsFile(CREDENTIALS, 'prod'), configError(/no \[prod\] profile \(it has \[default\], \[backup\]\)/));
    assert.throws(() => parseAwsCredentialsFile('', 'default'), configError(/no \[default\] profile \(it has none\)/));
  });

  it('rejects a profile without keys and lines that are not INI', () => {
    assert.throws(() => parseAwsCredentialsFile('[default]\naws_access_key_id=x\n', 'default'), configError(/has no aws_secret_access_key/));
    assert.throws(() => parseAwsCredentialsFile('aws_access_key_id=x\n', 'default'), configError(/line 1 .* before any \[profile\]/));
    assert.throws(() => parseAwsCredentialsFile('[default]\nnonsense\n', 'default'), configError(/line 2 .* neither/));
  });
});

describe('s3OptionsFromBackupStorageLocation', () => {
  it('maps an AWS BSL: bucket, prefix, region, default profile credentials', () => {
    assert.deepEqual(s3OptionsFromBackupStorageLocation(bsl(), CREDENTIALS), {
      bucket: 'backups',
      prefix: 'cluster-a',
      region: 'eu-west-1',
      forcePathStyle: false,
      insecureSkipTLSVerify: false,
      credentials: { accessKeyId: 'AKIDDEFAULT', secretAccessKey: 'secretdefault' },
    });
  });

  it('maps an S3-compatible BSL: s3Url, path style, TLS skip, profile, CA bundle', () => {
    const options = s3OptionsFromBackupStorageLocation(
      bsl({
        provider: 'velero.io/aws',
        objectStorage: { bucket: 'velero', prefix: '/a/b/', caCert: Buffer.from('-----BEGIN CERTIFICATE-----\n').toString('base64') },
        config: { s3Url: 'https://minio.velero.svc:9000', s3ForcePathStyle: 'true', insecureSkipTLSVerify: 'True', profile: 'backup' },
      }),
      CREDENTIALS,
    );
    assert.deepEqual(options, {
      bucket: 'velero',
      prefix: 'a/b',
      endpoint: 'https://minio.velero.svc:9000',
      forcePathStyle: true,
      insecureSkipTLSVerify: true,
      caCert: '-----BEGIN CERTIFICATE-----\n',
      credentials: { accessKeyId: 'AKIDBACKUP', secretAccessKey: 'secret=with=equals', sessionToken: 'token123' },
    });
  });

  it('accepts the cluster\'s typed BackupStorageLocation as it is (a compile-time check)', () => {
    const fits: BackupStorageLocation extends BackupStorageLocationLike ? true : never = true;
    assert.ok(fits);
  });

  it('leaves credentials to the SDK chain when no credentials file is given', () => {
    assert.equal(s3OptionsFromBackupStorageLocation({ ...bsl(), spec: { provider: 'aws', objectStorage: { bucket: 'b' } } }, undefined).credentials, undefined);
  });

  it('refuses other providers, naming the BSL and the provider', () => {
    assert.throws(() => s3OptionsFromBackupStorageLocation(bsl({ provider: 'gcp' }), CREDENTIALS), (err: unknown) => {
      assert.ok(err instanceof FerryError);
      assert.equal(err.message, 'BackupStorageLocation velero/default: spec.provider is "gcp", which Ferry cannot use');
      assert.match(err.hint ?? '', /provider "aws"/);
      return true;
    });
  });

  it('names the BSL field for a missing bucket, a bad URL, a bad flag and a missing profile', () => {
    assert.throws(() => s3OptionsFromBackupStorageLocation(bsl({ objectStorage: { bucket: '' } }), undefined), configError(/velero\/default: spec\.objectStorage\.bucket is not set/));
    assert.throws(() => s3OptionsFromBackupStorageLocation(bsl({ config: { s3Url: 'minio:9000' } }), undefined), configError(/spec\.config\.s3Url is "minio:9000", not an http\(s\) URL/));
    assert.throws(() => s3OptionsFromBackupStorageLocation(bsl({ config: { s3Url: 'not a url' } }), undefined), configError(/spec\.config\.s3Url/));
    assert.throws(() => s3OptionsFromBackupStorageLocation(bsl({ config: { s3ForcePathStyle: 'yes' } }), undefined), configError(/spec\.config\.s3ForcePathStyle is "yes", not a boolean/));
    assert.throws(
      () => s3OptionsFromBackupStorageLocation(bsl({ config: { profile: 'prod' } }), CREDENTIALS),
      configError(/velero\/default: Secret cloud-credentials key cloud \(spec\.credential\): the AWS credentials file has no \[prod\] profile/),
    );
  });
});

describe('repositoryStorageFor', () => {
  it('keeps a namespace\'s repository under <prefix>/ferry/<namespace>/ in the BSL\'s bucket', async () => {
    const server = await startS3rver();
    try {
      const location = bsl({
        objectStorage: { bucket: server.bucket, prefix: `velero-${randomBytes(3).toString('hex')}` },
        config: { s3Url: server.endpoint, s3ForcePathStyle: 'true' },
      });
      const text = `[default]\naws_access_key_id=${server.accessKeyId}\naws_secret_access_key=${server.secretAccessKey}\n`;
      const storage = await repositoryStorageFor(location, text, 'apps');
      assert.equal(storage.location, `s3://${server.bucket}/${location.spec.objectStorage.prefix ?? ''}/ferry/apps`);
      await storage.put('config', new TextEncoder().encode('repo config'));
      const keys: string[] = [];
      for await (const info of storage.list('')) keys.push(info.key);
      await storage.close();
      assert.deepEqual(keys, ['config']);
      const bucketWide = await fetch(`${server.endpoint}/${server.bucket}?list-type=2`).then((r) => r.text());
      assert.match(bucketWide, new RegExp(`<Key>${location.spec.objectStorage.prefix ?? ''}/ferry/apps/config</Key>`));
    } finally {
      await server.stop();
    }
  });

  it('rejects a source namespace that is not a DNS label', async () => {
    await assert.rejects(repositoryStorageFor(bsl(), CREDENTIALS, '../other'), configError(/invalid source namespace/));
  });
});
