/**
 * Pack files: many sealed blobs followed by a sealed header that lists them, so a pack describes itself (check and
 * index rebuild need nothing else).
 *
 *   pack   = blob* ‖ seal(header, aad = "ferry pack header v1") ‖ u32le(length of the sealed header)
 *   header = u32le(count) ‖ entry*      entry = u8(kind | flags) ‖ id (32) ‖ u32le(sealed length) ‖ u32le(raw length)
 *
 * A blob's offset is the sum of the sealed lengths before it. A pack's name is the SHA-256 of its bytes.
 */
import { createHash } from 'node:crypto';
import { ID_BYTES, seal, textBytes, unseal, SEAL_OVERHEAD } from './crypto.js';

export const BLOB_DATA = 0;
export const BLOB_TREE = 1;
export type BlobKind = typeof BLOB_DATA | typeof BLOB_TREE;
/** Flag bit: the blob's plaintext is a zstd frame. */
export const FLAG_COMPRESSED = 0x10;

export const HEADER_AAD = textBytes('ferry pack header v1');
const ENTRY_BYTES = 1 + ID_BYTES + 4 + 4;

export interface PackEntry {
  /** Kind in the low bits, `FLAG_COMPRESSED`. */
  flags: number;
  id: Uint8Array;
  offset: number;
  sealedLength: number;
  rawLength: number;
}

export const blobKind = (flags: number): BlobKind => (flags & 0x0f) === BLOB_TREE ? BLOB_TREE : BLOB_DATA;

export function packKey(packId: string): string {
  return `data/${packId.slice(0, 2)}/${packId}`;
}

export interface FinishedPack {
  id: string;
  bytes: Uint8Array;
  entries: PackEntry[];
}

/**
 * Collects sealed blobs until the pack is big enough, then lays out the file in its (reusable) buffer. The pack's
 * hash grows with each blob, so finishing costs no second pass over the pack.
 */
export class PackBuilder {
  private entries: PackEntry[] = [];
  private size = 0;
  private hash = createHash('sha256');

  /** `buffer` is written in place and grown when too small; `finish` returns a view of it. */
  constructor(private buffer: Buffer = Buffer.allocUnsafe(1024 * 1024)) {}

  /** The buffer, to be reused for another pack once the finished one is stored. */
  get storage(): Buffer {
    return this.buffer;
  }

  get sizeBytes(): number {
    return this.size;
  }

  get count(): number {
    return this.entries.length;
  }

  add(entry: Omit<PackEntry, 'offset'>, sealed: Uint8Array): void {
    this.entries.push({ ...entry, offset: this.size });
    this.reserve(sealed.length);
    this.buffer.set(sealed, this.size);
    this.hash.update(sealed);
    this.size += sealed.length;
  }

  private reserve(extra: number): void {
    if (this.size + extra <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.size + extra));
    this.buffer.copy(grown, 0, 0, this.size);
    this.buffer = grown;
  }

  finish(key: Uint8Array): FinishedPack {
    const header = Buffer.allocUnsafe(4 + this.entries.length * ENTRY_BYTES);
    header.writeUInt32LE(this.entries.length, 0);
    let at = 4;
    for (const e of this.entries) {
      header[at] = e.flags;
      header.set(e.id, at + 1);
      header.writeUInt32LE(e.sealedLength, at + 1 + ID_BYTES);
      header.writeUInt32LE(e.rawLength, at + 5 + ID_BYTES);
      at += ENTRY_BYTES;
    }
    const sealedHeader = seal(key, header, HEADER_AAD);
    this.reserve(sealedHeader.length + 4);
    this.buffer.set(sealedHeader, this.size);
    this.buffer.writeUInt32LE(sealedHeader.length, this.size + sealedHeader.length);
    const bytes = this.buffer.subarray(0, this.size + sealedHeader.length + 4);
    const id = this.hash.update(bytes.subarray(this.size)).digest('hex');
    const entries = this.entries;
    this.entries = [];
    this.size = 0;
    this.hash = createHash('sha256');
    return { id, bytes, entries };
  }
}

/** Bytes to read from the end of a pack so that the header is usually in them. */
export const TAIL_GUESS_BYTES = 64 * 1024;

/**
 * The sealed header's length from the last bytes of a pack (`tail` ends where the pack ends), or a message saying
 * why the pack cannot hold one.
 */
export function headerLength(tail: Uint8Array, packSize: number): number | string {
  if (tail.length < 4 || packSize < 4 + SEAL_OVERHEAD) return 'pack is too short to have a header';
  const length = Buffer.from(tail.buffer, tail.byteOffset, tail.length).readUInt32LE(tail.length - 4);
  if (length < SEAL_OVERHEAD || length > packSize - 4) return `pack header length ${length} is out of range`;
  return length;
}

/** Decrypts and parses a pack header; throws `AuthenticationError` or `Error` with what is wrong. */
export function parseHeader(key: Uint8Array, sealedHeader: Uint8Array, packSize: number): PackEntry[] {
  const plain = unseal(key, sealedHeader, HEADER_AAD);
  const count = plain.length >= 4 ? plain.readUInt32LE(0) : -1;
  if (count < 0 || plain.length !== 4 + count * ENTRY_BYTES) throw new Error('pack header has a bad length');
  const entries: PackEntry[] = [];
  let offset = 0;
  for (let i = 0, at = 4; i < count; i++, at += ENTRY_BYTES) {
    const sealedLength = plain.readUInt32LE(at + 1 + ID_BYTES);
    entries.push({
      flags: plain[at] ?? 0,
      id: plain.subarray(at + 1, at + 1 + ID_BYTES),
      offset,
      sealedLength,
      rawLength: plain.readUInt32LE(at + 5 + ID_BYTES),
    });
    offset += sealedLength;
  }
  if (offset + sealedHeader.length + 4 !== packSize) throw new Error('pack header does not describe the whole pack');
  return entries;
}
