/**
 * zstd for blob payloads. A blob is stored compressed only when that saves at least 3 %, so incompressible data
 * (media, archives, encrypted files) costs one fast failed attempt and nothing on restore.
 */
import zstd from 'zstd-napi/binding.js';

const MIN_SAVING = 0.03;

export interface Packed {
  data: Uint8Array;
  compressed: boolean;
}

/** One compression context and output buffer per thread, reused across calls. */
export class BlobCompressor {
  private readonly cctx = new zstd.CCtx();
  private out: Uint8Array = new Uint8Array(0);

  constructor(private readonly level: number) {}

  /**
   * Compresses `raw` into `target` when that saves at least 3 %, returning the compressed size, else -1. `target`
   * needs room for 97 % of `raw`: zstd stops with "destination too small" as soon as the output would not fit.
   */
  compressInto(target: Uint8Array, raw: Uint8Array): number {
    const limit = Math.floor(raw.length * (1 - MIN_SAVING));
    if (limit < 64) return -1;
    try {
      return this.cctx.compress(target.subarray(0, limit), raw, this.level);
    } catch (err) {
      if (/too small/i.test((err as Error).message)) return -1;
      throw err;
    }
  }

  /** The returned `data` is either `raw` itself or a view of an internal buffer that the next call overwrites. */
  compress(raw: Uint8Array): Packed {
    const limit = Math.floor(raw.length * (1 - MIN_SAVING));
    if (limit < 64) return { data: raw, compressed: false };
    const bound = zstd.compressBound(raw.length);
    if (this.out.length < bound) this.out = new Uint8Array(bound);
    const size = this.cctx.compress(this.out, raw, this.level);
    if (size > limit) return { data: raw, compressed: false };
    return { data: this.out.subarray(0, size), compressed: true };
  }
}

export class BlobDecompressor {
  private readonly dctx = new zstd.DCtx();

  /** Decompresses into `target` (exactly the blob's raw length) and fails when the frame does not fill it. */
  decompressInto(target: Uint8Array, frame: Uint8Array): void {
    const size = this.dctx.decompress(target, frame);
    if (size !== target.length) throw new Error(`decompressed ${size} bytes, expected ${target.length}`);
  }

  decompress(frame: Uint8Array, rawLength: number): Uint8Array {
    const out = new Uint8Array(rawLength);
    this.decompressInto(out, frame);
    return out;
  }
}
