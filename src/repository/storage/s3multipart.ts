/**
 * Multipart upload of one in-memory object: parts go up `partConcurrency` at a time, each with its Content-MD5;
 * the first failure stops the others and aborts the upload so no orphaned parts keep costing storage.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { throwIfAborted } from './abort.js';

export interface MultipartUpload {
  client: S3Client;
  bucket: string;
  key: string;
  data: Uint8Array;
  partSizeBytes: number;
  partConcurrency: number;
  /** `{ IfNoneMatch: '*' }` for a conditional write, checked by the server when the upload completes. */
  condition: { IfNoneMatch?: string };
  signal?: AbortSignal | undefined;
}

/** S3 allows at most this many parts; larger objects get larger parts. */
const MAX_PARTS = 10_000;

export async function uploadMultipart({ client, bucket, key, data, partSizeBytes, partConcurrency, condition, signal }: MultipartUpload): Promise<void> {
  const partSize = Math.max(partSizeBytes, Math.ceil(data.byteLength / MAX_PARTS));
  const created = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }), signal === undefined ? {} : { abortSignal: signal });
  const uploadId = created.UploadId;
  if (uploadId === undefined) throw new Error('the server returned no UploadId for CreateMultipartUpload');
  const stop = new AbortController();
  const onAbort = (): void => {
    stop.abort(signal?.reason);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const count = Math.ceil(data.byteLength / partSize);
    const etags: string[] = new Array<string>(count);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < count && !stop.signal.aborted) {
        const index = next++;
        const body = data.subarray(index * partSize, Math.min(data.byteLength, (index + 1) * partSize));
        const out = await client.send(
          new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: index + 1, Body: body, ContentLength: body.byteLength, ContentMD5: md5(body) }),
          { abortSignal: stop.signal },
        );
        if (out.ETag === undefined) throw new Error(`the server returned no ETag for part ${index + 1}`);
        etags[index] = out.ETag;
      }
    };
    // The first failure is the one to report: the others are mostly the aborts it caused.
    let firstError: { err: unknown } | undefined;
    const workers = Array.from({ length: Math.min(partConcurrency, count) }, () =>
      worker().catch((err: unknown) => {
        firstError ??= { err };
        stop.abort(err);
      }),
    );
    await Promise.all(workers);
    if (firstError !== undefined) throw firstError.err;
    throwIfAborted(signal);
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
        ...condition,
      }),
      signal === undefined ? {} : { abortSignal: signal },
    );
  } catch (err) {
    // Best effort: s3rver answers 405 here, and a dropped connection may hide the answer anyway.
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })).catch(() => undefined);
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/** Content-MD5 lets the server reject a body damaged on the way (BadDigest, retried). */
export function md5(data: Uint8Array): string {
  return createHash('md5').update(data).digest('base64');
}
