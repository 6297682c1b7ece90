import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { createRawS3Storage } from '../../src/repository/storage/s3.js';
import { StorageError } from '../../src/repository/storage/index.js';
import { openS3Storage } from '../../src/repository/storage/s3.js';
import type { OpenS3Options, Storage } from '../../src/repository/storage/index.js';
import { INTERNAL_ERROR, SLOW_DOWN, startFaultProxy, TOO_MANY_REQUESTS } from '../support/faultproxy.js';
import type { FaultProxy } from '../support/faultproxy.js';
import { startS3Server } from '../support/s3server.js';
import type { S3Server } from '../support/s3server.js';

let server: S3Server;
let proxy: FaultProxy;
let conditionalProxy: FaultProxy;
const opened: Storage[] = [];

before(async () => {
  server = await startS3Server();
  proxy = await startFaultProxy(server.endpoint);
  conditionalProxy = await startFaultProxy(server.endpoint, { conditionalPuts: true });
});
afterEach(async () => {
  proxy.clear();
  conditionalProxy.clear();
  await Promise.all(opened.splice(0).map((s) => s.close()));
});
after(async () => {
  await proxy.close();
  await conditionalProxy.close();
  await server.stop();
});

/** A store behind the proxy with fast retries (4 attempts) and a short idle timeout. */
function storage(options: Partial<OpenS3Options> = {}, via: FaultProxy = proxy): Storage {
  const s = openS3Storage({
    endpoint: via.endpoint,
    bucket: server.bucket,
    prefix: `faults/${randomBytes(6).toString('hex')}`,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    idleTimeoutMs: 500,
    retry: { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 50 },
    ...options,
  });
  opened.push(s);
  return s;
}

function faultsSeen(via: FaultProxy = proxy): string[] {
  return via.requests.flatMap((r) => (r.fault === undefined ? [] : [`${r.method} ${r.fault}`]));
}

function isStorageError(code: StorageError['code'], text?: RegExp) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof StorageError, `expected a StorageError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (text !== undefined) assert.match(err.message, text);
    return true;
  };
}

describe('s3 storage through injected faults', () => {
  it('retries throttling (503 SlowDown, 429) and 500s until the request succeeds', async () => {
    const s = storage();
    const data = randomBytes(100_000);
    proxy.requests.length = 0;
    proxy.inject({ fault: SLOW_DOWN, times: 2, method: 'PUT' });
    proxy.inject({ fault: INTERNAL_ERROR, times: 2, method: 'GET' });
    proxy.inject({ fault: TOO_MANY_REQUESTS, times: 1, method: 'HEAD' });
    await s.put('data/aa/pack', data);
    assert.deepEqual(Buffer.from(await s.get('data/aa/pack')), data);
    assert.deepEqual(await s.stat('data/aa/pack'), { key: 'data/aa/pack', sizeBytes: data.byteLength });
    assert.deepEqual(faultsSeen(), ['PUT error', 'PUT error', 'GET error', 'GET error', 'HEAD error']);
  });

  it('retries connections dropped before any reply', async () => {
    const s = storage();
    proxy.requests.length = 0;
    proxy.inject({ fault: { kind: 'drop' }, times: 2, method: 'PUT' });
    await s.put('index/i1', new TextEncoder().encode('index'));
    assert.equal(new TextDecoder().decode(await s.get('index/i1')), 'index');
    assert.deepEqual(faultsSeen(), ['PUT drop', 'PUT drop']);
  });

  it('never returns part of an object when a GET drops mid-body', async () => {
    const s = storage();
    const data = randomBytes(1024 * 1024);
    await s.put('data/bb/pack', data);
    proxy.requests.length = 0;
    proxy.inject({ fault: { kind: 'dropMidBody' }, times: 2, method: 'GET' });
    assert.deepEqual(Buffer.from(await s.get('data/bb/pack')), data);
    proxy.inject({ fault: { kind: 'dropMidBody' }, times: 1, method: 'GET' });
    assert.deepEqual(Buffer.from(await s.getRange('data/bb/pack', 1000, 500_000)), data.subarray(1000, 501_000));
    assert.deepEqual(faultsSeen(), ['GET dropMidBody', 'GET dropMidBody', 'GET dropMidBody']);
  });

  it('waits out a slow response within the idle timeout and retries one beyond it', async () => {
    const s = storage();
    await s.put('snapshots/s1', new TextEncoder().encode('snap'));
    proxy.requests.length = 0;
    proxy.inject({ fault: { kind: 'delay', ms: 200 }, method: 'GET' });
    assert.equal(new TextDecoder().decode(await s.get('snapshots/s1')), 'snap');
    assert.equal(proxy.requests.length, 1);
    proxy.inject({ fault: { kind: 'delay', ms: 1500 }, method: 'GET' });
    const started = Date.now();
    assert.equal(new TextDecoder().decode(await s.get('snapshots/s1')), 'snap');
    assert.ok(Date.now() - started < 1400, 'the stalled request was abandoned at the idle timeout');
    assert.equal(proxy.requests.length, 3);
  });

  it('fails clearly, without hanging, when throttling outlasts the retry budget', async () => {
    const s = storage();
    proxy.requests.length = 0;
    proxy.inject({ fault: SLOW_DOWN, times: Infinity });
    const started = Date.now();
    await assert.rejects(s.put('config', new Uint8Array([1])), isStorageError('Unavailable', /SlowDown.*HTTP 503.*gave up after 4 attempts/));
    assert.ok(Date.now() - started < 5000);
    assert.equal(proxy.requests.length, 4);
  });

  it('fails clearly when every connection drops', async () => {
    const s = storage();
    proxy.inject({ fault: { kind: 'drop' }, times: Infinity });
    await assert.rejects(s.get('config'), isStorageError('Unavailable', /gave up after 4 attempts/));
  });

  it('does not retry permanent errors: missing keys and access denied', async () => {
    const s = storage();
    proxy.requests.length = 0;
    await assert.rejects(s.get('snapshots/none'), isStorageError('NotFound', /snapshots\/none/));
    assert.equal(proxy.requests.length, 1);
    proxy.inject({ fault: { kind: 'error', status: 403, code: 'AccessDenied' } });
    await assert.rejects(s.put('keys/k', new Uint8Array([1])), isStorageError('Permission', /AccessDenied.*HTTP 403/));
    assert.equal(proxy.requests.length, 2);
  });

  it('restarts a listing that fails on a later page without repeating keys', async () => {
    const s = storage({ listPageSize: 10 });
    const keys = Array.from({ length: 25 }, (_, i) => `index/${String(i).padStart(2, '0')}`);
    await Promise.all(keys.map((k) => s.put(k, new Uint8Array([1]))));
    proxy.requests.length = 0;
    proxy.inject({ fault: INTERNAL_ERROR, method: 'GET', url: /continuation-token=/ });
    proxy.inject({ fault: { kind: 'dropMidBody' }, method: 'GET', url: /continuation-token=/ });
    const listed: string[] = [];
    for await (const info of s.list('index/')) listed.push(info.key);
    assert.deepEqual(listed.sort(), keys);
    assert.deepEqual(faultsSeen(), ['GET error', 'GET dropMidBody']);
  });

  it('retries a multipart upload whose part failed, and leaves no object when parts keep failing', async () => {
    const s = storage({ multipartThresholdBytes: 6 * 1024 * 1024, partSizeBytes: 5 * 1024 * 1024 });
    const data = randomBytes(12 * 1024 * 1024);
    proxy.inject({ fault: INTERNAL_ERROR, method: 'PUT', url: /partNumber=2/ });
    await s.put('data/cc/big', data);
    assert.deepEqual(Buffer.from(await s.get('data/cc/big')), data);
    proxy.inject({ fault: { kind: 'drop' }, times: Infinity, method: 'PUT', url: /partNumber=3/ });
    await assert.rejects(s.put('data/cc/doomed', data), isStorageError('Unavailable', /gave up after 4 attempts/));
    assert.equal(await s.stat('data/cc/doomed'), undefined);
  });

  it('stops promptly when the caller aborts', async () => {
    const s = storage({ idleTimeoutMs: 10_000 });
    proxy.inject({ fault: { kind: 'delay', ms: 3000 }, method: 'PUT' });
    const started = Date.now();
    await assert.rejects(s.put('locks/l', new Uint8Array([1]), { signal: AbortSignal.timeout(100) }), { name: 'AbortError' });
    assert.ok(Date.now() - started < 1000);
  });
});

describe('s3 conditional writes', () => {
  it('finds that s3rver ignores If-None-Match and falls back to HEAD-then-PUT', async () => {
    const raw = createRawS3Storage({
      endpoint: server.endpoint,
      bucket: server.bucket,
      prefix: `probe/${randomBytes(6).toString('hex')}`,
      credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    });
    try {
      assert.equal(await raw.conditionalWrites(), 'emulated');
      const left: string[] = [];
      for await (const info of raw.list('')) left.push(info.key);
      assert.deepEqual(left, [], 'the probe object is gone');
      await raw.put('keys/a', new Uint8Array([1]), { ifAbsent: true });
      await assert.rejects(raw.put('keys/a', new Uint8Array([2]), { ifAbsent: true }), isStorageError('Exists'));
    } finally {
      await raw.close();
    }
  });

  it('uses If-None-Match where the server honours it, single-part and multipart', async () => {
    const s = storage({ multipartThresholdBytes: 6 * 1024 * 1024, partSizeBytes: 5 * 1024 * 1024 }, conditionalProxy);
    await s.put('keys/a', new Uint8Array([1]), { ifAbsent: true });
    conditionalProxy.requests.length = 0;
    await assert.rejects(s.put('keys/a', new Uint8Array([2]), { ifAbsent: true }), isStorageError('Exists', /already exists/));
    assert.deepEqual(conditionalProxy.requests.map((r) => r.method), ['PUT'], 'no HEAD: the server decided');
    assert.deepEqual(await s.get('keys/a'), new Uint8Array([1]));
    const big = randomBytes(7 * 1024 * 1024);
    await s.put('data/dd/big', big, { ifAbsent: true });
    await assert.rejects(s.put('data/dd/big', randomBytes(7 * 1024 * 1024), { ifAbsent: true }), isStorageError('Exists'));
    assert.deepEqual(Buffer.from(await s.get('data/dd/big')), big);
  });

  it('treats Exists after a lost reply as success when the stored object is the one it sent', async () => {
    const s = storage({}, conditionalProxy);
    const data = randomBytes(1000);
    await s.put('keys/probe-warmup', new Uint8Array([0]), { ifAbsent: true });
    conditionalProxy.inject({ fault: { kind: 'loseReply' }, method: 'PUT' });
    await s.put('keys/b', data, { ifAbsent: true });
    assert.deepEqual(faultsSeen(conditionalProxy), ['PUT loseReply']);
    assert.deepEqual(Buffer.from(await s.get('keys/b')), data);
    await assert.rejects(s.put('keys/b', randomBytes(1000), { ifAbsent: true }), isStorageError('Exists'));
  });
});
