/**
 * Key objects (`keys/<sha256>`): the master key wrapped by a key derived from one password with scrypt. A repository
 * has one per password; any of them opens it.
 *
 *   { "version": 1, "created": ISO time, "hostname": …, "kdf": { "name": "scrypt", "N", "r", "p", "salt": base64 },
 *     "wrapped": base64(seal(derived key, encryption key ‖ id key, aad "ferry key v1")) }
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Storage } from './storage/types.js';
import { AuthenticationError, DEFAULT_SCRYPT, deriveKey, KEY_BYTES, objectId, seal, textBytes, unseal } from './crypto.js';
import type { MasterKey, ScryptParams } from './crypto.js';
import { FerryError } from '../util/errors.js';
import { compareText } from '../util/compare.js';

const KEY_AAD = textBytes('ferry key v1');

interface KeyFile {
  version: 1;
  created: string;
  hostname: string;
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string };
  wrapped: string;
}

export interface KeyInfo {
  id: string;
  created: string;
  hostname: string;
}

/** Wraps `master` with `password` and stores it; returns the key's id. */
export async function writeKey(storage: Storage, master: MasterKey, password: string, kdf: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(32);
  const derived = await deriveKey(password, salt, kdf);
  const file: KeyFile = {
    version: 1,
    created: new Date().toISOString(),
    hostname: hostname(),
    kdf: { name: 'scrypt', ...kdf, salt: salt.toString('base64') },
    wrapped: seal(derived, Buffer.concat([master.encryption, master.id]), KEY_AAD).toString('base64'),
  };
  const bytes = textBytes(JSON.stringify(file));
  const id = objectId(bytes);
  await storage.put(`keys/${id}`, bytes, { ifAbsent: true });
  return id;
}

function parseKeyFile(bytes: Uint8Array, key: string): KeyFile {
  try {
    const file = JSON.parse(Buffer.from(bytes).toString('utf8')) as { version?: unknown; kdf?: { name?: unknown }; wrapped?: unknown };
    if (file.version !== 1 || file.kdf?.name !== 'scrypt' || typeof file.wrapped !== 'string') throw new Error('unknown key format');
    return file as KeyFile;
  } catch (err) {
    throw new FerryError('IntegrityMismatch', `key object ${key} is not a valid Ferry key`, { cause: err });
  }
}

export async function listKeys(storage: Storage): Promise<KeyInfo[]> {
  const keys: KeyInfo[] = [];
  for await (const { key } of storage.list('keys/')) {
    const file = parseKeyFile(await storage.get(key), key);
    keys.push({ id: key.slice('keys/'.length), created: file.created, hostname: file.hostname });
  }
  return keys.sort((a, b) => compareText(a.created, b.created));
}

/** Tries `password` on every key; fails with code `WrongPassword` when none opens, `NotFound` when there are none. */
export async function unlockMasterKey(storage: Storage, password: string): Promise<{ master: MasterKey; keyId: string }> {
  let seen = 0;
  for await (const { key } of storage.list('keys/')) {
    seen++;
    const file = parseKeyFile(await storage.get(key), key);
    const { N, r, p, salt } = file.kdf;
    const derived = await deriveKey(password, Buffer.from(salt, 'base64'), { N, r, p });
    try {
      const plain = unseal(derived, Buffer.from(file.wrapped, 'base64'), KEY_AAD);
      return { master: { encryption: plain.subarray(0, KEY_BYTES), id: plain.subarray(KEY_BYTES) }, keyId: key.slice('keys/'.length) };
    } catch (err) {
      if (!(err instanceof AuthenticationError)) throw err;
    }
  }
  if (seen === 0) {
    throw new FerryError('NotFound', `there is no Ferry repository at ${storage.location} (no keys/)`, {
      hint: 'create one with `ferry repo init`, or check the --repo URL',
    });
  }
  throw new FerryError('WrongPassword', `wrong password: none of the ${seen} keys of ${storage.location} opens with it`, {
    hint: 'check FERRY_REPO_PASSWORD or the --password-file',
  });
}

/** Resolves a key id or unique prefix of one. */
export async function resolveKeyId(storage: Storage, idOrPrefix: string): Promise<string> {
  const matches = (await listKeys(storage)).filter((k) => k.id.startsWith(idOrPrefix));
  const [first] = matches;
  if (matches.length === 1 && first) return first.id;
  const why = matches.length === 0 ? 'no key' : `${matches.length} keys`;
  throw new FerryError('NotFound', `${why} in ${storage.location} match ${JSON.stringify(idOrPrefix)}`, {
    hint: 'list the keys with `ferry repo key list`',
  });
}

/** Adds a password to an open repository; returns the new key's id. */
export async function addKey(repo: { storage: Storage; key: MasterKey }, password: string, kdf?: ScryptParams): Promise<string> {
  return writeKey(repo.storage, repo.key, password, kdf);
}

/** Removes a key; refuses the key in use (which also keeps the last key from going). */
export async function removeKey(repo: { storage: Storage; keyId: string }, idOrPrefix: string): Promise<string> {
  const id = await resolveKeyId(repo.storage, idOrPrefix);
  if (id === repo.keyId) {
    throw new FerryError('Conflict', `key ${id.slice(0, 8)} is the one this password opened; a repository keeps at least one key`, {
      hint: 'open the repository with another password (add one with `ferry repo key add`) to remove this key',
    });
  }
  await repo.storage.delete(`keys/${id}`);
  return id;
}
