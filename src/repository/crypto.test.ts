import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AuthenticationError, blobId, newMasterKey, seal, SEAL_OVERHEAD, textBytes, unseal } from './crypto.js';

describe('seal / unseal', () => {
  const key = newMasterKey();
  const aad = textBytes('role');

  it('round-trips and adds only nonce and tag', () => {
    const sealed = seal(key.encryption, textBytes('secret'), aad);
    assert.equal(sealed.length, 6 + SEAL_OVERHEAD);
    assert.equal(unseal(key.encryption, sealed, aad).toString(), 'secret');
  });

  it('uses a fresh nonce every time', () => {
    assert.notDeepEqual(seal(key.encryption, textBytes('x'), aad), seal(key.encryption, textBytes('x'), aad));
  });

  it('fails authentication on a flipped byte, another role or another key', () => {
    const sealed = seal(key.encryption, textBytes('secret'), aad);
    const flipped = Buffer.from(sealed);
    flipped[14] = (flipped[14] ?? 0) ^ 1;
    assert.throws(() => unseal(key.encryption, flipped, aad), AuthenticationError);
    assert.throws(() => unseal(key.encryption, sealed, textBytes('other role')), AuthenticationError);
    assert.throws(() => unseal(newMasterKey().encryption, sealed, aad), AuthenticationError);
  });

  it('derives blob ids from a secret key, not from the content alone', () => {
    const data = textBytes('same content');
    assert.deepEqual(blobId(key.id, data), blobId(key.id, data));
    assert.notDeepEqual(blobId(key.id, data), blobId(newMasterKey().id, data));
  });
});
