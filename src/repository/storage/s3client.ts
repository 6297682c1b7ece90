/**
 * Builds the `S3Client` for one store: endpoint, region, addressing style, TLS trust, credentials and timeouts.
 * The SDK's own retries are off (`maxAttempts: 1`) because `retry.ts` is the one retry layer.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { checkEndpoint } from './endpoint.js';

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface S3ClientOptions {
  /** `https://host:port` of an S3-compatible server; AWS when absent. */
  endpoint?: string;
  /** Default: `AWS_REGION`, then `AWS_DEFAULT_REGION`, then `us-east-1`. */
  region?: string;
  /** `https://endpoint/bucket/key` instead of `https://bucket.endpoint/key`. Default: true when `endpoint` is set. */
  forcePathStyle?: boolean;
  insecureSkipTLSVerify?: boolean;
  /** PEM bundle of extra CAs to trust (a BSL's `objectStorage.caCert`). */
  caCert?: string;
  /** Default: the SDK's standard chain (the `AWS_*` environment variables first). */
  credentials?: S3Credentials;
  /** Default 10 s. */
  connectTimeoutMs?: number;
  /** A connection silent for this long is dropped and the request retried. Default 60 s. */
  idleTimeoutMs?: number;
  /** Sockets kept per agent. */
  maxSockets?: number;
}

export function createS3Client({
  endpoint,
  region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
  forcePathStyle = endpoint !== undefined,
  insecureSkipTLSVerify = false,
  caCert,
  credentials,
  connectTimeoutMs = 10_000,
  idleTimeoutMs = 60_000,
  maxSockets = 32,
}: S3ClientOptions): S3Client {
  if (endpoint !== undefined) checkEndpoint(endpoint);
  // Node 20 is the runtime Ferry supports here; the SDK's notice about its own future support policy would
  // otherwise be printed into every command's output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const tls = { rejectUnauthorized: !insecureSkipTLSVerify, ...(caCert === undefined ? {} : { ca: caCert }) };
  return new S3Client({
    region,
    forcePathStyle,
    // On AWS a bucket in another region answers 301; follow it rather than demand the exact region.
    followRegionRedirects: endpoint === undefined,
    maxAttempts: 1,
    // s3rver stores streamed (aws-chunked) uploads corrupt; whole-body requests with Content-MD5 work everywhere.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(credentials === undefined ? {} : { credentials }),
    requestHandler: {
      connectionTimeout: connectTimeoutMs,
      socketTimeout: idleTimeoutMs,
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets, ...tls }),
    },
  });
}
