/**
 * `openStorage` turns a repository URL into a backend: `file:///abs/path` or a plain path → filesystem,
 * `s3://bucket/prefix` → S3 (retried, with bounded concurrency).
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FerryError } from '../../util/errors.js';
import { createFileStorage } from './fs.js';
import type { OpenS3Options } from './s3.js';
import type { Storage } from './types.js';

/** S3 settings; a filesystem URL ignores them. */
export type OpenStorageOptions = Omit<OpenS3Options, 'bucket' | 'prefix'>;

const URL_HINT = 'use file:///absolute/path, a plain path, or s3://bucket/prefix';

/**
 * Opening a filesystem store also removes temporary files that crashed writers left more than an hour ago: in the
 * background, since listing every pack directory would delay the command, and finished by `close()` (best effort:
 * a read-only mount must still open).
 */
export async function openStorage(url: string, options: OpenStorageOptions = {}): Promise<Storage> {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined || scheme === 'file') {
    const storage = createFileStorage(scheme === undefined ? resolve(url) : filePath(url));
    const cleaning = storage.cleanup().catch(() => 0);
    return {
      ...storage,
      async close() {
        await cleaning;
        await storage.close();
      },
    };
  }
  if (scheme === 's3') {
    const location = parseS3Url(url);
    // Only S3 users pay for loading the AWS SDK (~25 MB, a few hundred ms).
    const { openS3Storage } = await import('./s3.js');
    return openS3Storage({ ...options, ...location });
  }
  throw new FerryError('Usage', `unsupported repository URL ${JSON.stringify(url)}: unknown scheme "${scheme}:"`, { hint: URL_HINT });
}

/** `s3://bucket/some/prefix` → `{ bucket, prefix }`; bucket names are case-sensitive, so no URL parser here. */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const rest = url.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const prefix = slash === -1 ? '' : rest.slice(slash + 1);
  if (!/^s3:\/\//i.test(url) || bucket === '') {
    throw new FerryError('Usage', `invalid S3 repository URL ${JSON.stringify(url)}: no bucket`, { hint: URL_HINT });
  }
  if (/[?#]/.test(url) || prefix.split('/').some((s) => s === '.' || s === '..')) {
    throw new FerryError('Usage', `invalid S3 repository URL ${JSON.stringify(url)}: the prefix must be a plain path`, { hint: URL_HINT });
  }
  return { bucket, prefix };
}

function filePath(url: string): string {
  try {
    return fileURLToPath(url);
  } catch (err) {
    throw new FerryError('Usage', `invalid file URL ${JSON.stringify(url)}: ${err instanceof Error ? err.message : String(err)}`, {
      hint: URL_HINT,
      cause: err,
    });
  }
}
