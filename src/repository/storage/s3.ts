/**
 * S3-compatible backend: objects live at `<prefix><key>` in one bucket. This is the raw layer, one SDK request
 * per call (several for a multipart upload) and no retries; `openS3Storage` adds the retry and concurrency
 * decorators, and is what callers use.
 *
 * `ifAbsent` uses a conditional write (`If-None-Match: *`) where the server honours it. Servers that ignore the
 * header (s3rver overwrites silently) or reject it (Swift: 501) get HEAD-then-PUT instead, which is racy: two
 * writers can both see "absent". The repository only relies on `ifAbsent` for keys that are random or
 * content-addressed, where two writers never or harmlessly collide. `conditionalWrites: 'auto'` finds out which
 * kind of server it is talking to with a throwaway probe object on the first `ifAbsent` put.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import type { GetObjectCommandOutput, S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { abortError } from './abort.js';
import { checkKey, checkPrefix, TEMP_PREFIX } from './keys.js';
import { checkRange, rangePastEnd } from './range.js';
import { withRetry } from './retry.js';
import type { RetryPolicy } from './retry.js';
import { isTransientS3Error, s3StorageError, httpStatus, storageCode, TruncatedBodyError } from './s3errors.js';
import { createS3Client } from './s3client.js';
import type { S3ClientOptions } from './s3client.js';
import { md5, uploadMultipart } from './s3multipart.js';
import { withConcurrencyLimit } from './sema.js';
import { StorageError } from './types.js';
import type { ObjectInfo, PutOptions, Storage } from './types.js';

const MiB = 1024 * 1024;

export type ConditionalWrites = 'auto' | 'native' | 'emulated';

export interface S3StorageOptions extends S3ClientOptions {
  bucket: string;
  /** Key prefix inside the bucket; slashes at either end are optional. */
  prefix?: string;
  /** How `ifAbsent` is done; see the module comment. Default `auto`. */
  conditionalWrites?: ConditionalWrites;
  /** Objects larger than this are uploaded in parts. Default 16 MiB. */
  multipartThresholdBytes?: number;
  /** Default 8 MiB (S3's minimum is 5 MiB). */
  partSizeBytes?: number;
  /** Parts of one object uploaded at once. Default 4. */
  partConcurrency?: number;
  /** Keys per ListObjectsV2 page (S3's maximum, and default, is 1000). */
  listPageSize?: number;
}

export interface OpenS3Options extends S3StorageOptions {
  /** Requests in flight at once (a multipart upload counts once). Default 8. */
  concurrency?: number;
  retry?: RetryPolicy;
}

export interface RawS3Storage extends Storage {
  readonly bucket: string;
  /** `''` or ending with `/`. */
  readonly prefix: string;
  /** Which kind of conditional write this server gets, probing it once if `conditionalWrites` is `auto`. */
  conditionalWrites(): Promise<'native' | 'emulated'>;
}

/** The S3 store callers use: retried, with bounded concurrency. */
export function openS3Storage({ concurrency = 8, retry = {}, ...options }: OpenS3Options): Storage {
  const raw = createRawS3Storage({ maxSockets: concurrency * (options.partConcurrency ?? 4), ...options });
  return withRetry(withConcurrencyLimit(raw, concurrency), { ...retry, isTransient: isTransientS3Error });
}

export function createRawS3Storage(options: S3StorageOptions): RawS3Storage {
  const {
    bucket,
    conditionalWrites = 'auto',
    multipartThresholdBytes = 16 * MiB,
    partSizeBytes = 8 * MiB,
    partConcurrency = 4,
    listPageSize = 1000,
  } = options;
  const prefix = normalizePrefix(options.prefix ?? '');
  const location = prefix === '' ? `s3://${bucket}` : `s3://${bucket}/${prefix.slice(0, -1)}`;
  const client: S3Client = createS3Client(options);
  const objectKey = (key: string): string => {
    checkKey(key);
    return prefix + key;
  };
  const fail = (err: unknown, key: string, verb: string): StorageError => s3StorageError(err, key, `${verb} ${JSON.stringify(key)} in ${location}`);

  const head = async (key: string, signal?: AbortSignal): Promise<ObjectInfo | undefined> => {
    const Key = objectKey(key);
    try {
      const out = await client.send(new HeadObjectCommand({ Bucket: bucket, Key }), abortable(signal));
      return { key, sizeBytes: out.ContentLength ?? 0 };
    } catch (err) {
      if (signal?.aborted === true) throw abortError(signal);
      if (storageCode(err) === 'NotFound') return undefined;
      throw fail(err, key, 'cannot stat');
    }
  };

  let detected: Promise<'native' | 'emulated'> | undefined;
  const detect = (): Promise<'native' | 'emulated'> => {
    if (conditionalWrites !== 'auto') return Promise.resolve(conditionalWrites);
    // A failed probe is not remembered: the next ifAbsent put probes again.
    detected ??= probeConditionalWrites(client, bucket, prefix).catch((err: unknown) => {
      detected = undefined;
      throw err;
    });
    return detected;
  };

  return {
    bucket,
    prefix,
    location,
    conditionalWrites: detect,

    async put(key: string, data: Uint8Array, { ifAbsent = false, signal }: PutOptions = {}): Promise<void> {
      const Key = objectKey(key);
      try {
        const native = ifAbsent && (await detect()) === 'native';
        if (ifAbsent && !native && (await head(key, signal)) !== undefined) throw exists(key, location);
        const condition = native ? { IfNoneMatch: '*' } : {};
        if (data.byteLength > multipartThresholdBytes) {
          await uploadMultipart({ client, bucket, key: Key, data, partSizeBytes, partConcurrency, condition, signal });
        } else {
          await client.send(
            new PutObjectCommand({ Bucket: bucket, Key, Body: data, ContentLength: data.byteLength, ContentMD5: md5(data), ...condition }),
            abortable(signal),
          );
        }
      } catch (err) {
        if (signal?.aborted === true) throw abortError(signal);
        if (err instanceof StorageError) throw err;
        if (storageCode(err) === 'Exists') throw exists(key, location, err);
        throw fail(err, key, 'cannot write');
      }
    },

    async get(key: string, { signal }: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
      const Key = objectKey(key);
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key }), abortable(signal));
        return await readBody(out, signal);
      } catch (err) {
        if (signal?.aborted === true) throw abortError(signal);
        throw fail(err, key, 'cannot read');
      }
    },

    async getRange(key: string, offset: number, length: number, { signal }: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
      const Key = objectKey(key);
      checkRange(offset, length);
      if (length === 0) {
        if ((await head(key, signal)) === undefined) throw missing(key, location);
        return new Uint8Array(0);
      }
      try {
        const Range = `bytes=${offset}-${offset + length - 1}`;
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key, Range }), abortable(signal));
        const size = objectSize(out);
        if (size !== undefined && offset + length > size) {
          if (out.Body instanceof Readable) out.Body.destroy();
          throw rangePastEnd(key, location, offset, length, size);
        }
        const body = await readBody(out, signal);
        if (out.ContentRange !== undefined) return body;
        // A server that ignores Range sends the whole object.
        if (offset + length > body.byteLength) throw rangePastEnd(key, location, offset, length, body.byteLength);
        return body.subarray(offset, offset + length);
      } catch (err) {
        if (signal?.aborted === true) throw abortError(signal);
        if (err instanceof StorageError) throw err;
        if (httpStatus(err) === 416) {
          const size = (await head(key, signal))?.sizeBytes;
          if (size === undefined) throw missing(key, location);
          throw rangePastEnd(key, location, offset, length, size);
        }
        throw fail(err, key, 'cannot read');
      }
    },

    stat: (key: string) => head(key),

    async delete(key: string): Promise<void> {
      const Key = objectKey(key);
      try {
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key }));
      } catch (err) {
        if (storageCode(err) === 'NotFound') return;
        throw fail(err, key, 'cannot delete');
      }
    },

    async *list(listPrefix: string): AsyncIterable<ObjectInfo> {
      checkPrefix(listPrefix);
      let token: string | undefined;
      do {
        let page;
        try {
          page = await client.send(
            new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix + listPrefix, MaxKeys: listPageSize, ...(token === undefined ? {} : { ContinuationToken: token }) }),
          );
        } catch (err) {
          throw fail(err, listPrefix, 'cannot list');
        }
        for (const object of page.Contents ?? []) {
          const key = object.Key?.slice(prefix.length);
          // Folder markers made by consoles and our own probe objects are not repository objects.
          if (key === undefined || key === '' || key.endsWith('/') || key.split('/').some((s) => s.startsWith(TEMP_PREFIX))) continue;
          yield { key, sizeBytes: object.Size ?? 0 };
        }
        token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
    },

    close(): Promise<void> {
      client.destroy();
      return Promise.resolve();
    },
  };
}

/** Writes a probe object twice with `If-None-Match: *`: a server that honours it refuses the second write. */
async function probeConditionalWrites(client: S3Client, bucket: string, prefix: string): Promise<'native' | 'emulated'> {
  const Key = `${prefix}${TEMP_PREFIX}probe-${randomBytes(8).toString('hex')}`;
  const put = () => client.send(new PutObjectCommand({ Bucket: bucket, Key, Body: new Uint8Array(0), ContentMD5: md5(new Uint8Array(0)), IfNoneMatch: '*' }));
  try {
    await put();
    await put();
    return 'emulated';
  } catch (err) {
    if (storageCode(err) === 'Exists') return 'native';
    if (httpStatus(err) === 501) return 'emulated';
    throw err;
  } finally {
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key })).catch(() => undefined);
  }
}

/** Reads a whole response body, failing (never truncating) if the connection drops before Content-Length bytes. */
async function readBody(out: GetObjectCommandOutput, signal?: AbortSignal): Promise<Uint8Array> {
  const body = out.Body;
  if (body === undefined) return new Uint8Array(0);
  if (!(body instanceof Readable)) return checkLength(await body.transformToByteArray(), out.ContentLength);
  const onAbort = (): void => {
    body.destroy(signal?.reason instanceof Error ? signal.reason : undefined);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const expected = out.ContentLength;
    if (expected === undefined) {
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(chunk as Buffer);
      return new Uint8Array(Buffer.concat(chunks));
    }
    // Straight into one buffer of the announced size: no second copy of a 16 MiB pack.
    const bytes = new Uint8Array(expected);
    let filled = 0;
    for await (const chunk of body) {
      const part = chunk as Buffer;
      if (filled + part.byteLength > expected) throw new TruncatedBodyError(`the response body is longer than its Content-Length ${expected}`);
      bytes.set(part, filled);
      filled += part.byteLength;
    }
    return checkLength(bytes.subarray(0, filled), expected);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

function checkLength(bytes: Uint8Array, expected: number | undefined): Uint8Array {
  if (expected !== undefined && bytes.byteLength !== expected) {
    throw new TruncatedBodyError(`the response body has ${bytes.byteLength} bytes, Content-Length said ${expected}`);
  }
  return bytes;
}

/** The full object size from `Content-Range: bytes a-b/size`. */
function objectSize(out: GetObjectCommandOutput): number | undefined {
  const total = out.ContentRange?.split('/')[1];
  return total === undefined || total === '*' ? undefined : Number(total);
}

function missing(key: string, location: string): StorageError {
  return new StorageError('NotFound', key, `cannot read ${JSON.stringify(key)} in ${location}: no such object`);
}

function exists(key: string, location: string, cause?: unknown): StorageError {
  return new StorageError('Exists', key, `${JSON.stringify(key)} already exists in ${location}`, cause === undefined ? undefined : { cause });
}

function abortable(signal: AbortSignal | undefined): { abortSignal?: AbortSignal } {
  return signal === undefined ? {} : { abortSignal: signal };
}

export function normalizePrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+|\/+$/g, '');
  if (trimmed === '') return '';
  checkPrefix(trimmed);
  return `${trimmed}/`;
}
