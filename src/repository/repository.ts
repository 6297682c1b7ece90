/**
 * A `Repository` is an opened store: the unlocked master key, the configuration and the blob index. Everything
 * else (backup, restore, check, prune) is a function that takes one.
 */
import { randomBytes } from 'node:crypto';
import { BlobIndex } from './blob-index.js';
import { DEFAULT_CHUNKER, chunkerProblem } from './chunker.js';
import type { ChunkerParams } from './chunker.js';
import { AuthenticationError, newMasterKey, objectId, seal, textBytes, unseal } from './crypto.js';
import type { MasterKey, ScryptParams } from './crypto.js';
import { BlobDecompressor } from './compress.js';
import { decodeIndex } from './index-file.js';
import type { IndexedPack } from './index-file.js';
import { unlockMasterKey, writeKey } from './keys.js';
import { BLOB_TREE, blobKind, FLAG_COMPRESSED, packKey } from './pack.js';
import { mapLimit } from './concurrency.js';
import { StorageError } from './storage/types.js';
import type { Storage } from './storage/types.js';
import { FerryError } from '../util/errors.js';

export const FORMAT_VERSION = 1;
const CONFIG_AAD = textBytes('ferry config v1');

export interface RepositoryConfig {
  version: typeof FORMAT_VERSION;
  /** Random, identifies the repository in messages and caches. */
  id: string;
  created: string;
  chunker: ChunkerParams & { seed: string };
  compressionLevel: number;
  packSizeBytes: number;
}

export interface InitOptions {
  password: string;
  chunking?: Partial<ChunkerParams>;
  /** zstd level, 1 (fastest) to 19. */
  compressionLevel?: number;
  /** Target size of pack files. */
  packSizeBytes?: number;
  /** scrypt cost; lower only in tests. */
  kdf?: ScryptParams;
}

export const DEFAULT_COMPRESSION_LEVEL = 1;
export const DEFAULT_PACK_BYTES = 4 * 1024 * 1024;
const TREE_CACHE_BYTES = 32 * 1024 * 1024;

export class Repository {
  readonly index = new BlobIndex();
  /** The index objects the loaded index came from. */
  readonly indexKeys: string[] = [];
  private indexLoading: Promise<void> | undefined;
  private readonly decompressor = new BlobDecompressor();
  private readonly treePacks = new Map<string, Promise<Uint8Array>>();
  private treeCacheBytes = 0;

  private constructor(
    readonly storage: Storage,
    readonly config: RepositoryConfig,
    readonly key: MasterKey,
    /** The key object that the password opened. */
    readonly keyId: string,
  ) {}

  static async init(storage: Storage, { password, chunking = {}, compressionLevel = DEFAULT_COMPRESSION_LEVEL, packSizeBytes = DEFAULT_PACK_BYTES, kdf }: InitOptions): Promise<Repository> {
    const chunker = { ...DEFAULT_CHUNKER, ...chunking };
    const problem = chunkerProblem(chunker);
    if (problem !== undefined) throw new FerryError('Usage', `invalid chunk sizes: ${problem}`);
    if (!Number.isInteger(compressionLevel) || compressionLevel < 1 || compressionLevel > 19) {
      throw new FerryError('Usage', `invalid compression level ${compressionLevel}: use 1 to 19`);
    }
    const config: RepositoryConfig = {
      version: FORMAT_VERSION,
      id: randomBytes(16).toString('hex'),
      created: new Date().toISOString(),
      chunker: { ...chunker, seed: randomBytes(32).toString('hex') },
      compressionLevel,
      packSizeBytes,
    };
    const master = newMasterKey();
    try {
      await storage.put('config', seal(master.encryption, textBytes(JSON.stringify(config)), CONFIG_AAD), { ifAbsent: true });
    } catch (err) {
      if (err instanceof StorageError && err.code === 'Exists') {
        throw new FerryError('Conflict', `a repository already exists at ${storage.location}`, { cause: err });
      }
      throw err;
    }
    const keyId = await writeKey(storage, master, password, kdf);
    return new Repository(storage, config, master, keyId);
  }

  static async open(storage: Storage, { password }: { password: string }): Promise<Repository> {
    // The config read overlaps the key derivation; a missing config still wins over a wrong password.
    const [configRead, unlocked] = await Promise.allSettled([storage.get('config'), unlockMasterKey(storage, password)]);
    if (configRead.status === 'rejected') {
      const err: unknown = configRead.reason;
      if (!(err instanceof StorageError && err.code === 'NotFound')) throw err;
      throw new FerryError('NotFound', `there is no Ferry repository at ${storage.location}`, {
        hint: 'create one with `ferry repo init`, or check the --repo URL',
        cause: err,
      });
    }
    if (unlocked.status === 'rejected') throw unlocked.reason;
    const sealedConfig = configRead.value;
    const { master, keyId } = unlocked.value;
    let config: RepositoryConfig;
    try {
      config = JSON.parse(unseal(master.encryption, sealedConfig, CONFIG_AAD).toString('utf8')) as RepositoryConfig;
    } catch (err) {
      throw new FerryError('IntegrityMismatch', `the config object of ${storage.location} cannot be decrypted with key ${keyId.slice(0, 8)}`, { cause: err });
    }
    const version = (config as { version: unknown }).version;
    if (version !== FORMAT_VERSION) {
      throw new FerryError('ConfigInvalid', `repository format version ${String(version)} is not supported (this Ferry reads version ${FORMAT_VERSION})`);
    }
    return new Repository(storage, config, master, keyId);
  }

  /**
   * Reads every index file once; later calls wait for the same load. A damaged index file fails the load, unless
   * `onDamaged` takes it (check reports it and goes on with the rest).
   */
  loadIndex(onDamaged?: (key: string, err: FerryError) => void): Promise<void> {
    this.indexLoading ??= this.readIndexFiles(onDamaged);
    return this.indexLoading;
  }

  private async readIndexFiles(onDamaged: ((key: string, err: FerryError) => void) | undefined): Promise<void> {
    const keys: string[] = [];
    for await (const { key } of this.storage.list('index/')) keys.push(key);
    const files = await mapLimit(keys, 8, async (key) => {
      try {
        return { key, packs: this.decodeIndexObject(key, await this.storage.get(key)) };
      } catch (err) {
        if (onDamaged === undefined || !(err instanceof FerryError)) throw err;
        onDamaged(key, err);
        return { key, packs: [] };
      }
    });
    for (const { key, packs } of files) {
      this.indexKeys.push(key);
      this.addToIndex(packs);
    }
  }

  decodeIndexObject(key: string, data: Uint8Array): IndexedPack[] {
    try {
      if (objectId(data) !== key.slice(key.lastIndexOf('/') + 1)) throw new AuthenticationError('content does not match its name');
      return decodeIndex(this.key.encryption, data);
    } catch (err) {
      throw new FerryError('IntegrityMismatch', `index file ${key} is damaged: ${(err as Error).message}`, {
        hint: 'run `ferry repo check` to see what else is affected',
        cause: err,
      });
    }
  }

  addToIndex(packs: readonly IndexedPack[]): void {
    for (const pack of packs) {
      const n = this.index.packNumber(pack.id);
      for (const e of pack.entries) this.index.add(e.id, { pack: n, offset: e.offset, sealedLength: e.sealedLength, rawLength: e.rawLength, flags: e.flags });
    }
  }

  sealObject(plaintext: Uint8Array, aad: Uint8Array): Buffer {
    return seal(this.key.encryption, plaintext, aad);
  }

  /** Stores an encrypted JSON object under `<prefix>/<sha256>` and returns the id. */
  async saveJson(prefix: string, value: unknown, aad: Uint8Array): Promise<string> {
    const bytes = this.sealObject(textBytes(JSON.stringify(value)), aad);
    const id = objectId(bytes);
    await this.storage.put(`${prefix}/${id}`, bytes, { ifAbsent: true });
    return id;
  }

  async loadJson(key: string, aad: Uint8Array): Promise<unknown> {
    const data = await this.storage.get(key);
    try {
      return JSON.parse(unseal(this.key.encryption, data, aad).toString('utf8'));
    } catch (err) {
      throw new FerryError('IntegrityMismatch', `${key} is damaged: ${(err as Error).message}`, { cause: err });
    }
  }

  /** The plaintext of a blob; fails with `IntegrityMismatch` naming the blob and pack. */
  async readBlob(id: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
    const loc = this.index.get(id);
    const hex = Buffer.from(id).toString('hex');
    if (loc === undefined) throw new FerryError('IntegrityMismatch', `blob ${hex} is not in the index of ${this.storage.location}`);
    const key = packKey(this.index.packIds[loc.pack] ?? '');
    const options = signal === undefined ? {} : { signal };
    let sealed: Uint8Array;
    if (blobKind(loc.flags) === BLOB_TREE) {
      const pack = await this.treePack(key, options);
      sealed = pack.subarray(loc.offset, loc.offset + loc.sealedLength);
    } else {
      sealed = await this.storage.getRange(key, loc.offset, loc.sealedLength, options);
    }
    return this.openBlob(id, sealed, loc.flags, loc.rawLength, key);
  }

  /**
   * Tree packs read whole and kept (up to `TREE_CACHE_BYTES`): walks read every tree of a snapshot, and one read
   * per pack beats one per directory.
   */
  private async treePack(key: string, options: { signal?: AbortSignal }): Promise<Uint8Array> {
    let pack = this.treePacks.get(key);
    if (pack === undefined) {
      pack = this.storage.get(key, options);
      this.treePacks.set(key, pack);
      const bytes = await pack.catch((err: unknown) => {
        this.treePacks.delete(key);
        throw err;
      });
      this.treeCacheBytes += bytes.length;
      for (const [old, data] of this.treePacks) {
        if (this.treeCacheBytes <= TREE_CACHE_BYTES || old === key) break;
        this.treePacks.delete(old);
        this.treeCacheBytes -= (await data).length;
      }
    }
    return pack;
  }

  openBlob(id: Uint8Array, sealed: Uint8Array, flags: number, rawLength: number, packKeyName: string): Uint8Array {
    try {
      const plain = unseal(this.key.encryption, sealed, id);
      return (flags & FLAG_COMPRESSED) !== 0 ? this.decompressor.decompress(plain, rawLength) : plain;
    } catch (err) {
      throw blobDamaged(packKeyName, id, err);
    }
  }

  async close(): Promise<void> {
    await this.storage.close();
  }
}

export function blobDamaged(packKeyName: string, id: Uint8Array, cause: unknown): FerryError {
  const why = cause instanceof AuthenticationError ? 'fails authentication' : `cannot be decoded (${(cause as Error).message})`;
  return new FerryError('IntegrityMismatch', `pack ${packKeyName}: blob ${Buffer.from(id).toString('hex')} ${why}`, {
    hint: 'run `ferry repo check --read-data` to find every damaged object',
    cause,
  });
}
