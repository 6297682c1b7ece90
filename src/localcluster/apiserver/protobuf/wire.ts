/** The protobuf wire format, read-only: varints, fixed-width numbers and length-delimited fields. */

export interface WireField {
  field: number;
  wireType: 0 | 1 | 2 | 5;
  /** Varints and fixed-width numbers as a 64-bit pattern; `undefined` for length-delimited fields. */
  int: bigint | undefined;
  bytes: Uint8Array | undefined;
}

export class WireError extends Error {
  override readonly name = 'WireError';
}

export function* readFields(buf: Uint8Array): Generator<WireField> {
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= buf.length || shift > 63n) throw new WireError('truncated or overlong varint');
      const b = buf[pos++] ?? 0;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  const fixed = (size: number): bigint => {
    if (pos + size > buf.length) throw new WireError('truncated fixed-width field');
    let result = 0n;
    for (let i = size - 1; i >= 0; i--) result = (result << 8n) | BigInt(buf[pos + i] ?? 0);
    pos += size;
    return result;
  };
  while (pos < buf.length) {
    const tag = varint();
    const field = Number(tag >> 3n);
    const wireType = Number(tag & 7n);
    switch (wireType) {
      case 0:
        yield { field, wireType, int: varint(), bytes: undefined };
        break;
      case 1:
        yield { field, wireType, int: fixed(8), bytes: undefined };
        break;
      case 2: {
        const length = Number(varint());
        if (pos + length > buf.length) throw new WireError('truncated length-delimited field');
        yield { field, wireType, int: undefined, bytes: buf.subarray(pos, pos + length) };
        pos += length;
        break;
      }
      case 5:
        yield { field, wireType, int: fixed(4), bytes: undefined };
        break;
      default:
        throw new WireError(`unsupported wire type ${wireType}`);
    }
  }
}
