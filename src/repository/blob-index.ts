/**
 * The in-memory index: blob id → (pack, offset, lengths, flags), in flat typed arrays and an open-addressing hash
 * table, about 60 bytes per blob (a million blobs fit in 60 MB; a Map of hex strings would take several times that).
 */
import { ID_BYTES } from './crypto.js';

export interface BlobLocation {
  /** Number of the pack in `packIds`. */
  pack: number;
  offset: number;
  sealedLength: number;
  rawLength: number;
  flags: number;
}

const EMPTY = -1;

export class BlobIndex {
  /** Pack number → pack id (hex); empty while the pack is still being written. */
  readonly packIds: string[] = [];
  private readonly packNumbers = new Map<string, number>();
  private ids = new Uint8Array(1024 * ID_BYTES);
  private packs = new Int32Array(1024);
  private offsets = new Uint32Array(1024);
  private sealedLengths = new Uint32Array(1024);
  private rawLengths = new Uint32Array(1024);
  private flagBytes = new Uint8Array(1024);
  private table = new Int32Array(2048).fill(EMPTY);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The number of a pack, allocated on first use; `''` reserves a number for a pack not yet named. */
  packNumber(packId: string): number {
    if (packId !== '') {
      const known = this.packNumbers.get(packId);
      if (known !== undefined) return known;
    }
    const n = this.packIds.push(packId) - 1;
    if (packId !== '') this.packNumbers.set(packId, n);
    return n;
  }

  nameReservedPack(pack: number, packId: string): void {
    this.packIds[pack] = packId;
    this.packNumbers.set(packId, pack);
  }

  /** Adds a blob unless its id is already present (then the first location wins); returns whether it was added. */
  add(id: Uint8Array, loc: BlobLocation): boolean {
    let slot = this.slotOf(id);
    if ((this.table[slot] as number) !== EMPTY) return false;
    if (this.count === this.packs.length) {
      this.grow();
      slot = this.slotOf(id);
    }
    const n = this.count++;
    this.ids.set(id, n * ID_BYTES);
    this.packs[n] = loc.pack;
    this.offsets[n] = loc.offset;
    this.sealedLengths[n] = loc.sealedLength;
    this.rawLengths[n] = loc.rawLength;
    this.flagBytes[n] = loc.flags;
    this.table[slot] = n;
    return true;
  }

  has(id: Uint8Array): boolean {
    return (this.table[this.slotOf(id)] as number) !== EMPTY;
  }

  get(id: Uint8Array): BlobLocation | undefined {
    const n = this.table[this.slotOf(id)] as number;
    if (n === EMPTY) return undefined;
    return {
      pack: this.packs[n] as number,
      offset: this.offsets[n] as number,
      sealedLength: this.sealedLengths[n] as number,
      rawLength: this.rawLengths[n] as number,
      flags: this.flagBytes[n] as number,
    };
  }

  /** Every id (as a view into one buffer of `size * 32` bytes); workers get a copy to skip known chunks early. */
  idBytes(): Uint8Array {
    return this.ids.subarray(0, this.count * ID_BYTES);
  }

  *entries(): Generator<{ id: Uint8Array } & BlobLocation> {
    for (let n = 0; n < this.count; n++) {
      yield {
        id: this.ids.subarray(n * ID_BYTES, (n + 1) * ID_BYTES),
        pack: this.packs[n] as number,
        offset: this.offsets[n] as number,
        sealedLength: this.sealedLengths[n] as number,
        rawLength: this.rawLengths[n] as number,
        flags: this.flagBytes[n] as number,
      };
    }
  }

  /** The table slot holding `id`, or the empty slot where it would go (linear probing). */
  private slotOf(id: Uint8Array): number {
    const mask = this.table.length - 1;
    let slot = idHash(id, 0) & mask;
    for (;;) {
      const n = this.table[slot] as number;
      if (n === EMPTY || sameId(this.ids, n * ID_BYTES, id)) return slot;
      slot = (slot + 1) & mask;
    }
  }

  private grow(): void {
    const capacity = this.packs.length * 2;
    const ids = new Uint8Array(capacity * ID_BYTES);
    ids.set(this.ids);
    this.ids = ids;
    this.packs = extend(this.packs, new Int32Array(capacity));
    this.offsets = extend(this.offsets, new Uint32Array(capacity));
    this.sealedLengths = extend(this.sealedLengths, new Uint32Array(capacity));
    this.rawLengths = extend(this.rawLengths, new Uint32Array(capacity));
    this.flagBytes = extend(this.flagBytes, new Uint8Array(capacity));
    this.table = new Int32Array(capacity * 2).fill(EMPTY);
    for (let n = 0; n < this.count; n++) this.table[this.slotOf(this.ids.subarray(n * ID_BYTES, (n + 1) * ID_BYTES))] = n;
  }
}

function extend<T extends Int32Array | Uint32Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/** Ids are HMAC outputs, so any four of their bytes are uniformly distributed. */
function idHash(bytes: Uint8Array, at: number): number {
  return (bytes[at] as number) | ((bytes[at + 1] as number) << 8) | ((bytes[at + 2] as number) << 16) | ((bytes[at + 3] as number) << 24);
}

function sameId(ids: Uint8Array, at: number, id: Uint8Array): boolean {
  for (let i = 0; i < ID_BYTES; i++) if (ids[at + i] !== id[i]) return false;
  return true;
}

/** A read-only set of ids built from a flat id buffer, for worker threads (no locations, half the memory). */
export class IdSet {
  private readonly table: Int32Array;

  constructor(private readonly ids: Uint8Array) {
    const count = ids.length / ID_BYTES;
    let size = 16;
    while (size < count * 2) size *= 2;
    this.table = new Int32Array(size).fill(EMPTY);
    const mask = size - 1;
    for (let n = 0; n < count; n++) {
      let slot = idHash(ids, n * ID_BYTES) & mask;
      while ((this.table[slot] as number) !== EMPTY) slot = (slot + 1) & mask;
      this.table[slot] = n;
    }
  }

  has(id: Uint8Array): boolean {
    const mask = this.table.length - 1;
    let slot = idHash(id, 0) & mask;
    for (;;) {
      const n = this.table[slot] as number;
      if (n === EMPTY) return false;
      if (sameId(this.ids, n * ID_BYTES, id)) return true;
      slot = (slot + 1) & mask;
    }
  }
}
