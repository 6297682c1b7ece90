/**
 * Index files (`index/<sha256>`): which blobs each pack holds and where, so opening a repository reads a few index
 * files instead of every pack header. Written by each backup for the packs it wrote, and rewritten by prune.
 *
 *   plaintext = u8(version 1) ‖ u32le(pack count) ‖ pack*
 *   pack      = pack id (32) ‖ u32le(blob count) ‖ blob*
 *   blob      = u8(kind | flags) ‖ id (32) ‖ u32le(offset) ‖ u32le(sealed length) ‖ u32le(raw length)
 *
 * sealed with aad "ferry index v1".
 */
import { ID_BYTES, seal, textBytes, unseal } from './crypto.js';
import type { PackEntry } from './pack.js';

export const INDEX_AAD = textBytes('ferry index v1');
const VERSION = 1;
const BLOB_BYTES = 1 + ID_BYTES + 12;

export interface IndexedPack {
  id: string;
  entries: PackEntry[];
}

export function encodeIndex(key: Uint8Array, packs: readonly IndexedPack[]): Buffer {
  let size = 5;
  for (const pack of packs) size += ID_BYTES + 4 + pack.entries.length * BLOB_BYTES;
  const out = Buffer.allocUnsafe(size);
  out[0] = VERSION;
  out.writeUInt32LE(packs.length, 1);
  let at = 5;
  for (const pack of packs) {
    out.write(pack.id, at, 'hex');
    out.writeUInt32LE(pack.entries.length, at + ID_BYTES);
    at += ID_BYTES + 4;
    for (const e of pack.entries) {
      out[at] = e.flags;
      out.set(e.id, at + 1);
      out.writeUInt32LE(e.offset, at + 1 + ID_BYTES);
      out.writeUInt32LE(e.sealedLength, at + 5 + ID_BYTES);
      out.writeUInt32LE(e.rawLength, at + 9 + ID_BYTES);
      at += BLOB_BYTES;
    }
  }
  return seal(key, out, INDEX_AAD);
}

/** Throws `AuthenticationError` for a tampered file and `Error` for a malformed one. */
export function decodeIndex(key: Uint8Array, sealed: Uint8Array): IndexedPack[] {
  const plain = unseal(key, sealed, INDEX_AAD);
  const fail = (): never => {
    throw new Error('index file is malformed');
  };
  if (plain.length < 5 || plain[0] !== VERSION) fail();
  const packs: IndexedPack[] = [];
  const count = plain.readUInt32LE(1);
  let at = 5;
  for (let p = 0; p < count; p++) {
    if (at + ID_BYTES + 4 > plain.length) fail();
    const id = plain.toString('hex', at, at + ID_BYTES);
    const blobs = plain.readUInt32LE(at + ID_BYTES);
    at += ID_BYTES + 4;
    if (at + blobs * BLOB_BYTES > plain.length) fail();
    const entries: PackEntry[] = [];
    for (let b = 0; b < blobs; b++, at += BLOB_BYTES) {
      entries.push({
        flags: plain[at] ?? 0,
        id: plain.subarray(at + 1, at + 1 + ID_BYTES),
        offset: plain.readUInt32LE(at + 1 + ID_BYTES),
        sealedLength: plain.readUInt32LE(at + 5 + ID_BYTES),
        rawLength: plain.readUInt32LE(at + 9 + ID_BYTES),
      });
    }
    packs.push({ id, entries });
  }
  if (at !== plain.length) fail();
  return packs;
}
