/**
 * Starts npm `s3rver` (a runtime dependency) as a child process on 127.0.0.1: the real S3-compatible server behind
 * the S3 tests and the local cluster's object store. The child runs with `--openssl-legacy-provider` because
 * s3rver's list pagination tokens use a cipher OpenSSL 3 only offers there.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { guardGroup, releaseGroup } from '../reaper.js';

export interface S3rverOptions {
  /** Bucket created at start. Default `ferry-test`. */
  bucket?: string;
  /** Where objects live. Default: a fresh temporary directory, removed by `stop()`. A given one is kept. */
  directory?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Give up waiting for the server after this long. Default 15 s. */
  startTimeoutMs?: number;
  /** Serve HTTPS with this PEM key and certificate (file paths). */
  tls?: { keyFile: string; certFile: string };
}

export interface S3rver {
  /** `http://127.0.0.1:<port>`, or `https://` with `tls` */
  endpoint: string;
  bucket: string;
  region: string;
  /** s3rver accepts only this key pair. */
  accessKeyId: 'S3RVER';
  secretAccessKey: 'S3RVER';
  directory: string;
  pid: number;
  /** Settles when the server process exits, for whatever reason, with the end of what it printed. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>;
  /** Stops the server (SIGTERM, SIGKILL after 5 s) and removes a temporary directory. Safe to call twice. */
  stop(): Promise<void>;
}

const OUTPUT_TAIL_CHARS = 4000;

const LISTENING = /S3rver listening on [^:\s]+:(\d+)/;

export async function startS3rver({ bucket = 'ferry-test', directory, port = 0, startTimeoutMs = 15_000, tls }: S3rverOptions = {}): Promise<S3rver> {
  const ownDirectory = directory === undefined;
  const dir = directory ?? (await mkdtemp(join(tmpdir(), 'ferry-s3rver-')));
  const bin = createRequire(import.meta.url).resolve('s3rver/bin/s3rver.js');
  const child = spawn(
    process.execPath,
    [
      '--openssl-legacy-provider', bin, '--silent', '--directory', dir, '--address', '127.0.0.1', '--port', String(port),
      ...(tls === undefined ? [] : ['--key', tls.keyFile, '--cert', tls.certFile]),
      '--configure-bucket', bucket,
    ],
    // Its own process group: a terminal's Ctrl-C must reach only the parent, which stops the server itself (else a
    // supervisor would see it die and start another one while the cluster is shutting down).
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  // The orphan guard kills it when this process ends in any way, e.g. a test runner that exits without stop().
  if (child.pid !== undefined) guardGroup(child.pid);

  // The end of the server's output, to say why it died if it ever does.
  let tail = '';
  const keepTail = (chunk: Buffer): void => {
    tail = (tail + chunk.toString()).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout.on('data', keepTail);
  child.stderr.on('data', keepTail);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode, output: tail });
    else child.once('exit', (code, signal) => {
      if (child.pid !== undefined) releaseGroup(child.pid);
      resolve({ code, signal, output: tail });
    });
  });
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
      }, 5000);
      await exited;
      clearTimeout(timer);
    }
    if (ownDirectory) await rm(dir, { recursive: true, force: true });
  };

  try {
    const listeningPort = await new Promise<number>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => {
        reject(new Error(`s3rver did not start within ${startTimeoutMs} ms: ${output.trim()}`));
      }, startTimeoutMs);
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        const match = LISTENING.exec(output);
        if (match?.[1] !== undefined) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`s3rver exited (${signal ?? `code ${code ?? '?'}`}) before listening: ${output.trim()}`));
      });
    });
    // Keep draining the pipes so a chatty server never blocks on a full buffer.
    child.stdout.resume();
    child.stderr.resume();
    return {
      endpoint: `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${listeningPort}`,
      bucket,
      region: 'us-east-1',
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      directory: dir,
      pid: child.pid ?? 0,
      exited,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
