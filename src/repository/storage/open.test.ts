import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { FerryError } from '../../util/errors.js';
import { openStorage, parseS3Url } from './open.js';

function usageError(pattern: RegExp) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof FerryError, String(err));
    assert.equal(err.code, 'Usage');
    assert.match(err.message, pattern);
    assert.match(err.hint ?? '', /file:\/\/\/absolute\/path.*s3:\/\/bucket\/prefix/);
    return true;
  };
}

describe('openStorage', () => {
  it('opens file URLs, absolute and relative paths as the same filesystem store', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-open-'));
    try {
      const byUrl = await openStorage(pathToFileURL(dir).href);
      await byUrl.put('config', new Uint8Array([7]));
      for (const spelling of [dir, relative(process.cwd(), dir)]) {
        const other = await openStorage(spelling);
        assert.equal(other.location, byUrl.location);
        assert.deepEqual(await other.get('config'), new Uint8Array([7]));
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('opens s3 URLs without contacting the server', async () => {
    const storage = await openStorage('s3://my-bucket/some/prefix/', { endpoint: 'http://127.0.0.1:1', region: 'us-east-1' });
    assert.equal(storage.location, 's3://my-bucket/some/prefix');
    await storage.close();
    assert.deepEqual(parseS3Url('s3://Bucket.Case'), { bucket: 'Bucket.Case', prefix: '' });
  });

  it('refuses unknown schemes and malformed URLs with a hint', async () => {
    await assert.rejects(openStorage('gs://bucket/x'), usageError(/unknown scheme "gs:"/));
    await assert.rejects(openStorage('s3:///prefix'), usageError(/no bucket/));
    await assert.rejects(openStorage('s3://b/../x'), usageError(/plain path/));
    await assert.rejects(openStorage('file://remote-host/x'), usageError(/invalid file URL/));
  });

  it('refuses an S3 endpoint that is not an http(s) URL', async () => {
    await assert.rejects(openStorage('s3://b', { endpoint: 'ftp://x' }), (err: unknown) => err instanceof FerryError && err.code === 'ConfigInvalid' && /http or https/.test(err.message));
  });
});
