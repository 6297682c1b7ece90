import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isFerryError } from '../util/errors.js';
import { parseSize } from './size.js';

const MiB = 1024 * 1024;

describe('parseSize', () => {
  it('reads the ways people write sizes', () => {
    assert.equal(parseSize('256MiB'), 256 * MiB);
    assert.equal(parseSize('64Mi'), 64 * MiB);
    assert.equal(parseSize('1GiB'), 1024 * MiB);
    assert.equal(parseSize('1Gi'), 1024 * MiB);
    assert.equal(parseSize('500MB'), 500_000_000);
    assert.equal(parseSize('2048KiB'), 2 * MiB);
    assert.equal(parseSize('2048k'), 2_048_000);
    assert.equal(parseSize(String(3 * MiB)), 3 * MiB);
  });

  it('rejects what is not a size, or too small or too big, as a usage error', () => {
    for (const bad of ['lots', '', '-5Mi', 'Mi', '12 parsecs', '100KiB', '9GiB']) {
      assert.throws(() => parseSize(bad), (err) => isFerryError(err) && err.code === 'Usage' && err.message.startsWith('--size'), bad);
    }
  });
});
