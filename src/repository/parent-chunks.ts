/**
 * Speculative cut points from the parent snapshot's version of a file.
 *
 * A chunk's end depends only on its start and its own bytes (the chunker always sees `maxBytes` ahead, except at
 * the end of the file). So when a chunk of the parent starts where the current chunk starts and the next bytes
 * hash to the parent chunk's id, the chunker would cut exactly there: hashing is needed for the id anyway, and the
 * gear-hash scan, the dearest step of re-reading a modified file, is skipped. A wrong guess costs one hash; the
 * chunks, and so the deduplication, are the same as without a parent.
 */
import { ID_BYTES } from './crypto.js';
import type { ParentHint } from './chunk-protocol.js';

export class ParentChunks {
  /** Item index by the file offset where the item starts. */
  private readonly byOffset = new Map<number, number>();
  /** Item index by id (latin1 of the 32 bytes). */
  private readonly byId = new Map<string, number>();
  private readonly last: number;
  /** The item to try at the current position, or -1. */
  private next = 0;

  constructor(private readonly hint: ParentHint) {
    let offset = 0;
    hint.lengths.forEach((length, i) => {
      this.byOffset.set(offset, i);
      if (length > 0) this.byId.set(this.idAt(i).toString('latin1'), i);
      offset += Math.abs(length);
    });
    this.last = hint.lengths.length - 1;
  }

  /**
   * The length of the chunk to try at the current position, or 0. `available` bytes are known from here and `eof`
   * says whether they reach the end of the file: the parent's last chunk ended at its file's end, so it only
   * stands for a chunk that ends at this file's end too.
   */
  guess(available: number, eof: boolean): number {
    const length = this.hint.lengths[this.next] ?? 0;
    if (length <= 0 || length > available) return 0;
    if (this.next === this.last && !(eof && length === available)) return 0;
    return length;
  }

  /** Whether the guessed chunk's bytes hash to the parent chunk's id; moves to the next item if so. */
  confirm(id: Uint8Array): boolean {
    const matches = Buffer.compare(id, this.idAt(this.next)) === 0;
    this.next = matches ? this.next + 1 : -1;
    return matches;
  }

  /** After the chunker cut a chunk ending at `offset`: the parent item that follows it, if any. */
  resync(offset: number, id: Uint8Array | undefined): void {
    const same = id === undefined ? undefined : this.byId.get(Buffer.from(id.buffer, id.byteOffset, id.length).toString('latin1'));
    this.next = same !== undefined ? same + 1 : (this.byOffset.get(offset) ?? -1);
  }

  private idAt(i: number): Buffer {
    return Buffer.from(this.hint.ids.buffer, this.hint.ids.byteOffset + i * ID_BYTES, ID_BYTES);
  }
}
