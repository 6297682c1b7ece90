import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { BlobIndex, IdSet } from './blob-index.js';

describe('BlobIndex', () => {
  it('stores and finds many blobs, keeping the first location of a duplicate', () => {
    const index = new BlobIndex();
    const pack = index.packNumber('ab'.repeat(32));
    const ids = Array.from({ length: 20_000 }, () => randomBytes(32));
    ids.forEach((id, i) => { assert.equal(index.add(id, { pack, offset: i, sealedLength: i + 1, rawLength: i + 2, flags: i % 2 }), true); });
    assert.equal(index.add(ids[5] as Buffer, { pack, offset: 999, sealedLength: 1, rawLength: 1, flags: 0 }), false);
    assert.equal(index.size, 20_000);
    ids.forEach((id, i) => { assert.deepEqual(index.get(id), { pack, offset: i, sealedLength: i + 1, rawLength: i + 2, flags: i % 2 }); });
    assert.equal(index.get(randomBytes(32)), undefined);
    assert.equal(index.packIds[pack], 'ab'.repeat(32));
  });

  it('gives workers a read-only id set with the same members', () => {
    const index = new BlobIndex();
    const ids = Array.from({ length: 3000 }, () => randomBytes(32));
    for (const id of ids) index.add(id, { pack: 0, offset: 0, sealedLength: 0, rawLength: 0, flags: 0 });
    const set = new IdSet(Uint8Array.from(index.idBytes()));
    for (const id of ids) assert.equal(set.has(id), true);
    assert.equal(set.has(randomBytes(32)), false);
  });
});
