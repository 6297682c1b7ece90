/**
 * `BlobWriter` turns sealed blobs into packs and index files: one open pack per blob kind (trees apart from data, so
 * reading trees touches few packs), a bounded number of uploads in flight, and an index file for every batch of
 * finished packs. Blobs are in the index (under a reserved pack number) from the moment they are added, so a
 * duplicate that arrives while its twin's pack is still open is recognised.
 */
import { BLOB_DATA, BLOB_TREE, FLAG_COMPRESSED, PackBuilder, packKey } from './pack.js';
import type { BlobKind } from './pack.js';
import type { IndexedPack } from './index-file.js';
import { encodeIndex } from './index-file.js';
import { blobId, objectId, seal, SEAL_OVERHEAD } from './crypto.js';
import { BlobCompressor } from './compress.js';
import { TaskLimit } from './concurrency.js';
import type { Repository } from './repository.js';

/** Index entries written per index file; keeps a million-file backup from holding every entry until the end. */
const INDEX_FLUSH_ENTRIES = 50_000;

export interface WriterStats {
  /** Raw bytes of blobs that were new to the repository. */
  newBytes: number;
  /** Bytes written to packs for them (after compression and encryption). */
  storedBytes: number;
  newBlobs: number;
}

interface OpenPack {
  builder: PackBuilder;
  number: number;
}

export class BlobWriter {
  readonly stats: WriterStats = { newBytes: 0, storedBytes: 0, newBlobs: 0 };
  private readonly open = new Map<BlobKind, OpenPack>();
  private readonly uploads: TaskLimit;
  private unindexed: IndexedPack[] = [];
  private unindexedEntries = 0;
  private compressor: BlobCompressor | undefined;
  /** Keys of the index files this writer wrote. */
  readonly indexKeys: string[] = [];

  private readonly signal: AbortSignal | undefined;
  /** Pack buffers whose uploads are done, reused so big allocations do not pile up between garbage collections. */
  private readonly spare: Buffer[] = [];

  constructor(
    private readonly repo: Repository,
    { maxUploads = 2, signal }: { maxUploads?: number; signal?: AbortSignal } = {},
  ) {
    this.uploads = new TaskLimit(maxUploads);
    this.signal = signal;
  }

  has(id: Uint8Array): boolean {
    return this.repo.index.has(id);
  }

  /** Adds a blob that is already sealed (with its id as associated data); false when the id is known already. */
  async addSealed(flags: number, id: Uint8Array, sealed: Uint8Array, rawLength: number): Promise<boolean> {
    const kind: BlobKind = (flags & 0x0f) === BLOB_TREE ? BLOB_TREE : BLOB_DATA;
    // Room for a full pack or one maximum-size blob, whichever is bigger.
    const capacity = Math.max(this.repo.config.packSizeBytes, this.repo.config.chunker.maxBytes + SEAL_OVERHEAD) + 64 * 1024;
    // Finish a pack before a blob would overflow its buffer, so pack buffers never grow past the pack size.
    if ((this.open.get(kind)?.builder.sizeBytes ?? 0) + sealed.length > capacity && !this.has(id)) await this.finishPack(kind);
    let pack = this.open.get(kind);
    if (pack === undefined) {
      // Tree packs stay small for most backups: they start with a small buffer that grows if needed.
      const buffer = kind === BLOB_TREE ? Buffer.allocUnsafe(1024 * 1024) : (this.spare.pop() ?? Buffer.allocUnsafe(capacity));
      pack = { builder: new PackBuilder(buffer), number: this.repo.index.packNumber('') };
      this.open.set(kind, pack);
    }
    const added = this.repo.index.add(id, { pack: pack.number, offset: pack.builder.sizeBytes, sealedLength: sealed.length, rawLength, flags });
    if (!added) return false;
    pack.builder.add({ flags, id, sealedLength: sealed.length, rawLength }, sealed);
    this.stats.newBytes += rawLength;
    this.stats.storedBytes += sealed.length;
    this.stats.newBlobs++;
    if (pack.builder.sizeBytes >= this.repo.config.packSizeBytes) await this.finishPack(kind);
    return true;
  }

  /** Compresses, encrypts and adds a blob made here (trees); returns its id. */
  async saveBlob(kind: BlobKind, plaintext: Uint8Array): Promise<Uint8Array> {
    const id = blobId(this.repo.key.id, plaintext);
    if (this.has(id)) return id;
    this.compressor ??= new BlobCompressor(this.repo.config.compressionLevel);
    const packed = this.compressor.compress(plaintext);
    const sealed = seal(this.repo.key.encryption, packed.data, id);
    await this.addSealed(kind | (packed.compressed ? FLAG_COMPRESSED : 0), id, sealed, plaintext.length);
    return id;
  }

  private async finishPack(kind: BlobKind): Promise<void> {
    const pack = this.open.get(kind);
    if (pack === undefined || pack.builder.count === 0) return;
    this.open.delete(kind);
    // No pack buffer waits finished while the uploads are busy: memory holds the open pack and those uploading.
    await this.uploads.ready();
    const finished = pack.builder.finish(this.repo.key.encryption);
    const { id } = finished;
    this.repo.index.nameReservedPack(pack.number, id);
    await this.uploads.run(async () => {
      await this.repo.storage.put(packKey(id), finished.bytes, this.putOptions());
      if (kind === BLOB_DATA) this.spare.push(pack.builder.storage);
      this.unindexed.push({ id, entries: finished.entries });
      this.unindexedEntries += finished.entries.length;
    });
    if (this.unindexedEntries >= INDEX_FLUSH_ENTRIES) await this.writeIndex();
  }

  private putOptions(): { signal?: AbortSignal } {
    return this.signal === undefined ? {} : { signal: this.signal };
  }

  /** Indexes packs already uploaded (those in `unindexed`). */
  private async writeIndex(): Promise<void> {
    if (this.unindexed.length === 0) return;
    const packs = this.unindexed;
    this.unindexed = [];
    this.unindexedEntries = 0;
    const bytes = encodeIndex(this.repo.key.encryption, packs);
    const key = `index/${objectId(bytes)}`;
    await this.repo.storage.put(key, bytes, { ...this.putOptions(), ifAbsent: true });
    this.indexKeys.push(key);
  }

  /** Finishes open packs, waits for every upload and indexes them: afterwards every added blob is durable. */
  async flush(): Promise<void> {
    for (const kind of [...this.open.keys()]) await this.finishPack(kind);
    await this.uploads.drain();
    await this.writeIndex();
  }
}

