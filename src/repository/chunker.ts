/**
 * FastCDC content-defined chunking with normalized chunk sizes.
 *
 * A 32-bit gear hash rolls over the bytes after the minimum size; a cut falls where the hash has zeros under a mask,
 * with a harder mask before the average size and an easier one after it, so sizes cluster around the average. The
 * gear table comes from the repository's secret chunker seed, so chunk boundaries (and therefore sizes) do not
 * reveal which known file a repository holds. The scan runs in WebAssembly over buffers from `fastBuffer`
 * (gear-scan.ts) and in JavaScript over any other buffer, with the same cuts.
 */
import { createHash } from 'node:crypto';
import { GearScanner } from './gear-scan.js';

export interface ChunkerParams {
  minBytes: number;
  /** A power of two. */
  avgBytes: number;
  maxBytes: number;
}

export const DEFAULT_CHUNKER: ChunkerParams = { minBytes: 512 * 1024, avgBytes: 1024 * 1024, maxBytes: 4 * 1024 * 1024 };

/** The problem with `params`, or `undefined` when they are usable. */
export function chunkerProblem({ minBytes, avgBytes, maxBytes }: ChunkerParams): string | undefined {
  const ints = [minBytes, avgBytes, maxBytes].every((n) => Number.isSafeInteger(n));
  if (!ints || minBytes < 4096 || maxBytes > 64 * 1024 * 1024) return 'chunk sizes must be integers from 4 KiB to 64 MiB';
  if (!(minBytes < avgBytes && avgBytes < maxBytes)) return 'chunk sizes must satisfy min < avg < max';
  if ((avgBytes & (avgBytes - 1)) !== 0) return 'the average chunk size must be a power of two';
  return undefined;
}

function gearTable(seed: Uint8Array): Int32Array {
  const table = new Int32Array(256);
  for (let i = 0; i < 256; i += 8) {
    const block = createHash('sha256').update(seed).update(Uint8Array.of(i)).digest();
    for (let j = 0; j < 8; j++) table[i + j] = block.readInt32LE(j * 4);
  }
  return table;
}

/** The top `bits` bits of a 32-bit word: those depend on the most bytes of the rolling window. */
const topMask = (bits: number): number => (bits >= 32 ? -1 : ~((1 << (32 - bits)) - 1));

export class Chunker {
  readonly params: ChunkerParams;
  /** Length of the chunk that a run of zeros yields from a chunk start: a long zero run is cut without hashing. */
  readonly zeroChunkBytes: number;
  private readonly gear: Int32Array;
  private readonly maskHard: number;
  private readonly maskEasy: number;
  private scanner: GearScanner | undefined;

  constructor(params: ChunkerParams, seed: Uint8Array) {
    const problem = chunkerProblem(params);
    if (problem !== undefined) throw new RangeError(problem);
    this.params = params;
    this.gear = gearTable(seed);
    const bits = Math.log2(params.avgBytes);
    this.maskHard = topMask(bits + 2);
    this.maskEasy = topMask(bits - 2);
    this.zeroChunkBytes = this.cut(new Uint8Array(params.maxBytes), 0, params.maxBytes);
  }

  /** A buffer of `bytes` that `cut` scans with WebAssembly (made once; later calls return the same buffer). */
  fastBuffer(bytes: number): Buffer {
    this.scanner ??= new GearScanner(this.gear, bytes);
    return this.scanner.buffer;
  }

  /**
   * The end of the chunk that starts at `start`, given that the data is known up to `end`. The caller must supply at
   * least `maxBytes` after `start` unless `end` is the end of the stream, so that the answer never depends on bytes
   * not yet seen.
   */
  cut(buf: Uint8Array, start: number, end: number): number {
    const { minBytes, avgBytes, maxBytes } = this.params;
    const length = end - start;
    if (length <= minBytes) return end;
    const gear = this.gear;
    const maskHard = this.maskHard;
    const maskEasy = this.maskEasy;
    const normal = start + Math.min(avgBytes, length);
    const last = start + Math.min(maxBytes, length);
    if (this.scanner?.owns(buf) === true) return this.scanner.cut(buf, start + minBytes, normal, last, maskHard, maskEasy);
    let h = 0;
    let i = start + minBytes;
    for (; i < normal; i++) {
      h = ((h << 1) + (gear[buf[i] as number] as number)) | 0;
      if ((h & maskHard) === 0) return i + 1;
    }
    for (; i < last; i++) {
      h = ((h << 1) + (gear[buf[i] as number] as number)) | 0;
      if ((h & maskEasy) === 0) return i + 1;
    }
    return last;
  }
}
