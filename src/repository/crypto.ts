/**
 * Authenticated encryption and keyed hashing for repository objects.
 *
 * Every encrypted object or blob is `nonce (12 bytes) ‖ AES-256-GCM ciphertext ‖ tag (16 bytes)`, with a fresh random
 * nonce each time. The associated data binds the ciphertext to its role (a blob's id, `ferry index v1`, …), so a
 * blob copied to another place or an index swapped for a snapshot fails authentication instead of decoding.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, scrypt } from 'node:crypto';

export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
/** Bytes that sealing adds to a plaintext. */
export const SEAL_OVERHEAD = NONCE_BYTES + TAG_BYTES;
export const KEY_BYTES = 32;
export const ID_BYTES = 32;

/** The repository's secret: what the password-derived key wraps. */
export interface MasterKey {
  /** AES-256 key for every object and blob. */
  readonly encryption: Uint8Array;
  /** HMAC-SHA256 key for blob ids, so ids do not reveal content. */
  readonly id: Uint8Array;
}

/** Raised when a ciphertext does not authenticate; callers add which object it was. */
export class AuthenticationError extends Error {
  override readonly name = 'AuthenticationError';
}

export function newMasterKey(): MasterKey {
  return { encryption: randomBytes(KEY_BYTES), id: randomBytes(KEY_BYTES) };
}

export function seal(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(plaintext.length + SEAL_OVERHEAD);
  sealInto(out, 0, key, plaintext, aad);
  return out;
}

/**
 * Node 20's cipher returns a new buffer per `update`; feeding it slices keeps those temporaries small (they are
 * reused by the allocator) instead of one chunk-sized allocation per blob, which fragments memory across threads.
 */
const SLICE_BYTES = 64 * 1024;

/** Seals into `out` at `at` (room for `plaintext.length + SEAL_OVERHEAD` bytes); returns the sealed length. */
export function sealInto(out: Buffer, at: number, key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): number {
  const nonce = randomBytes(NONCE_BYTES);
  nonce.copy(out, at);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(aad);
  let pos = at + NONCE_BYTES;
  for (let i = 0; i < plaintext.length; i += SLICE_BYTES) pos += cipher.update(plaintext.subarray(i, i + SLICE_BYTES)).copy(out, pos);
  pos += cipher.final().copy(out, pos);
  pos += cipher.getAuthTag().copy(out, pos);
  return pos - at;
}

export function unseal(key: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(Math.max(0, sealed.length - SEAL_OVERHEAD));
  unsealInto(out, key, sealed, aad);
  return out;
}

/** Decrypts into `out` (at least the plaintext's length); returns the plaintext length. */
export function unsealInto(out: Buffer, key: Uint8Array, sealed: Uint8Array, aad: Uint8Array): number {
  if (sealed.length < SEAL_OVERHEAD) throw new AuthenticationError('ciphertext is shorter than nonce and tag');
  const end = sealed.length - TAG_BYTES;
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, NONCE_BYTES));
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(end));
  let pos = 0;
  for (let i = NONCE_BYTES; i < end; i += SLICE_BYTES) pos += decipher.update(sealed.subarray(i, Math.min(end, i + SLICE_BYTES))).copy(out, pos);
  try {
    decipher.final();
  } catch (err) {
    throw new AuthenticationError('ciphertext fails authentication', { cause: err });
  }
  return pos;
}

/** A blob's id: HMAC-SHA256 of its plaintext under the repository's id key. */
export function blobId(idKey: Uint8Array, data: Uint8Array): Buffer {
  return createHmac('sha256', idKey).update(data).digest();
}

/** Name of a content-addressed object (pack, index, snapshot, key): SHA-256 of its stored bytes, in hex. */
export function objectId(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/**
 * About 0.11 s and 32 MiB here, paid by every command; restic calibrates to about 0.5 s. Ferry's repository password
 * is normally a random 256-bit secret (see docs/repository-format.md), which a costlier derivation would not make
 * harder to guess.
 */
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };

export function deriveKey(password: string, salt: Uint8Array, { N, r, p }: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_BYTES, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 }, (err, key) => {
      if (err) reject(err);
      else resolve(key);
    });
  });
}

export const textBytes = (text: string): Buffer => Buffer.from(text, 'utf8');
