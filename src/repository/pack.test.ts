import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { newMasterKey, seal, objectId } from './crypto.js';
import { decodeIndex, encodeIndex } from './index-file.js';
import { BLOB_TREE, FLAG_COMPRESSED, headerLength, PackBuilder, parseHeader } from './pack.js';

describe('packs and index files', () => {
  const key = newMasterKey();
  const blobs = [randomBytes(100), randomBytes(5000), randomBytes(1)].map((plain) => {
    const id = randomBytes(32);
    return { id, plain, sealed: seal(key.encryption, plain, id) };
  });

  it('lays out blobs and a header that describes the whole pack', () => {
    const builder = new PackBuilder();
    blobs.forEach((b, i) => { builder.add({ flags: i === 1 ? BLOB_TREE | FLAG_COMPRESSED : 0, id: b.id, sealedLength: b.sealed.length, rawLength: b.plain.length }, b.sealed); });
    const pack = builder.finish(key.encryption);
    assert.equal(pack.id, objectId(pack.bytes));
    const length = headerLength(pack.bytes, pack.bytes.length);
    assert.equal(typeof length, 'number');
    const header = parseHeader(key.encryption, pack.bytes.subarray(pack.bytes.length - 4 - Number(length), pack.bytes.length - 4), pack.bytes.length);
    assert.deepEqual(header.map((e) => [Buffer.from(e.id).toString('hex'), e.offset, e.flags]), pack.entries.map((e) => [Buffer.from(e.id).toString('hex'), e.offset, e.flags]));
    const second = header[1];
    assert.ok(second);
    assert.deepEqual(pack.bytes.subarray(second.offset, second.offset + second.sealedLength), blobs[1]?.sealed);
  });

  it('round-trips index files and rejects a flipped byte', () => {
    const entries = blobs.map((b, i) => ({ flags: i, id: b.id, offset: i * 10, sealedLength: b.sealed.length, rawLength: b.plain.length }));
    const sealed = encodeIndex(key.encryption, [{ id: 'cd'.repeat(32), entries }]);
    const [pack] = decodeIndex(key.encryption, sealed);
    assert.equal(pack?.id, 'cd'.repeat(32));
    assert.deepEqual(pack.entries.map((e) => e.offset), [0, 10, 20]);
    sealed[20] = (sealed[20] ?? 0) ^ 0x40;
    assert.throws(() => decodeIndex(key.encryption, sealed), /authentication/);
  });
});
