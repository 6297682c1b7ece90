/**
 * Decodes `application/vnd.kubernetes.protobuf` request bodies (what kubectl's typed clients send) into the JSON the
 * rest of the server works with: the `k8s\0` magic, the `runtime.Unknown` envelope (apiVersion, kind, raw), then
 * the raw message by the field tables in messages.ts. Empty strings, lists and maps are dropped, as JSON's
 * omitempty would.
 */
import { MESSAGES, TOP_LEVEL, type FieldSpec, type MessageSpec } from './messages.js';
import { readFields, WireError, type WireField } from './wire.js';

const MAGIC = [0x6b, 0x38, 0x73, 0x00];
const utf8 = new TextDecoder('utf-8');

export class ProtobufError extends Error {
  override readonly name = 'ProtobufError';
  constructor(
    message: string,
    /** True when the body is well-formed but of a kind this server cannot decode (answer 415, not 400). */
    readonly unsupported = false,
  ) {
    super(message);
  }
}

export function isProtobufContentType(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]?.trim() === 'application/vnd.kubernetes.protobuf';
}

function scalar(f: WireField, spec: FieldSpec): unknown {
  switch (spec.type) {
    case 'string':
      return utf8.decode(f.bytes);
    case 'bytes':
      return Buffer.from(f.bytes ?? new Uint8Array()).toString('base64');
    case 'bool':
      return f.int !== undefined && f.int !== 0n;
    case 'int64':
      return Number(BigInt.asIntN(64, f.int ?? 0n));
    case 'int32':
      return Number(BigInt.asIntN(32, f.int ?? 0n));
    case 'time': {
      let seconds = 0n;
      for (const t of readFields(f.bytes ?? new Uint8Array())) if (t.field === 1) seconds = BigInt.asIntN(64, t.int ?? 0n);
      return seconds === 0n ? undefined : new Date(Number(seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    }
    default:
      return undefined;
  }
}

function mapEntry(bytes: Uint8Array | undefined, valueType: 'string' | 'bytes'): [string, string] {
  let key = '';
  let value = '';
  for (const f of readFields(bytes ?? new Uint8Array())) {
    if (f.field === 1) key = utf8.decode(f.bytes);
    if (f.field === 2) value = valueType === 'string' ? utf8.decode(f.bytes) : Buffer.from(f.bytes ?? new Uint8Array()).toString('base64');
  }
  return [key, value];
}

function isEmpty(value: unknown, spec: FieldSpec): boolean {
  if (value === undefined || value === '') return true;
  if (value === 0 && spec.keepZero !== true) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && value !== null && Object.keys(value).length === 0;
}

function decodeMessage(bytes: Uint8Array, spec: MessageSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of readFields(bytes)) {
    const field = spec[f.field];
    if (field === undefined) continue;
    const type = field.type;
    let value: unknown;
    if (typeof type === 'object' && 'map' in type) {
      const [k, v] = mapEntry(f.bytes, type.map);
      const map = (out[field.name] ?? {}) as Record<string, string>;
      map[k] = v;
      out[field.name] = map;
      continue;
    }
    if (typeof type === 'object') {
      const nested = MESSAGES[type.message];
      value = nested === undefined ? undefined : decodeMessage(f.bytes ?? new Uint8Array(), nested);
    } else {
      value = scalar(f, field);
    }
    if (field.repeated === true) {
      const list = (out[field.name] ?? []) as unknown[];
      list.push(value);
      out[field.name] = list;
    } else {
      out[field.name] = value;
    }
  }
  for (const field of Object.values(spec)) {
    if (isEmpty(out[field.name], field)) Reflect.deleteProperty(out, field.name);
  }
  return out;
}

/** The JSON form of a protobuf-encoded Kubernetes object. */
export function decodeProtobufObject(body: Uint8Array): Record<string, unknown> {
  if (body.length < 4 || MAGIC.some((b, i) => body[i] !== b)) throw new ProtobufError('protobuf body does not start with the k8s magic number');
  try {
    let apiVersion = '';
    let kind = '';
    let raw: Uint8Array | undefined;
    for (const f of readFields(body.subarray(4))) {
      if (f.field === 1) {
        for (const t of readFields(f.bytes ?? new Uint8Array())) {
          if (t.field === 1) apiVersion = utf8.decode(t.bytes);
          if (t.field === 2) kind = utf8.decode(t.bytes);
        }
      } else if (f.field === 2) raw = f.bytes;
    }
    const message = TOP_LEVEL[`${apiVersion} ${kind}`];
    const spec = message === undefined ? undefined : MESSAGES[message];
    if (spec === undefined) {
      throw new ProtobufError(
        `this server decodes protobuf request bodies only for ${Object.keys(TOP_LEVEL).map((k) => k.split(' ')[1]).join(', ')}; got ${kind} (${apiVersion}): send it as JSON (kubectl apply -f or kubectl create -f do)`,
        true,
      );
    }
    return { apiVersion, kind, ...decodeMessage(raw ?? new Uint8Array(), spec) };
  } catch (err) {
    if (err instanceof WireError) throw new ProtobufError(`malformed protobuf body: ${err.message}`);
    throw err;
  }
}
