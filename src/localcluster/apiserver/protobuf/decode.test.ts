import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeProtobufObject, ProtobufError } from './decode.js';

/** Request bodies captured from kubectl v1.32.4 with -v=9. */
const hex = (text: string): Uint8Array => Buffer.from(text.replace(/\s+/g, ''), 'hex');
const CREATE_NAMESPACE = hex('6b387300 0a0f0a02 76311209 4e616d65 73706163 65121e0a 160a0676 656c6572 6f12001a 0022002a 00320038 00420012 001a020a 001a0022 00');
const CREATE_CONFIGMAP = hex(
  '6b387300 0a0f0a02 76311209 436f6e66 69674d61 7012310a 120a0263 3112001a 0022002a 00320038 00420012 060a0161 12016212 130a086b 65792e6a 736f6e12 077b2278 223a317d 1a002200',
);
const CREATE_SECRET = hex('6b387300 0a0c0a02 76311206 53656372 6574122b 0a120a02 73311200 1a002200 2a003200 38004200 120d0a02 70771207 68756e74 6572321a 064f7061 7175651a 002200');

describe('protobuf request bodies', () => {
  it('decodes what kubectl create namespace / configmap / secret send', () => {
    assert.deepEqual(decodeProtobufObject(CREATE_NAMESPACE), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'velero' } });
    assert.deepEqual(decodeProtobufObject(CREATE_CONFIGMAP), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c1' }, data: { a: 'b', 'key.json': '{"x":1}' } });
    assert.deepEqual(decodeProtobufObject(CREATE_SECRET), {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's1' },
      data: { pw: Buffer.from('hunter2').toString('base64') },
      type: 'Opaque',
    });
  });

  it('refuses bodies without the magic number, truncated ones, and kinds it has no field table for', () => {
    assert.throws(() => decodeProtobufObject(Buffer.from('{"kind":"Pod"}')), (e: unknown) => e instanceof ProtobufError && !e.unsupported);
    assert.throws(() => decodeProtobufObject(CREATE_CONFIGMAP.subarray(0, 30)), /malformed protobuf body/);
    const pod = Buffer.concat([hex('6b387300 0a090a02 76311203 506f64'), hex('1200')]);
    assert.throws(() => decodeProtobufObject(pod), (e: unknown) => e instanceof ProtobufError && e.unsupported && /got Pod \(v1\)/.test(e.message));
  });
});
