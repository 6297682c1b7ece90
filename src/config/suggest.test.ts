import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closest, editDistance } from './suggest.js';

describe('suggestions', () => {
  it('measure edits, counting a swap of neighbours as one', () => {
    assert.equal(editDistance('loadafinity', 'loadaffinity'), 1);
    assert.equal(editDistance('nmuber', 'number'), 1);
    assert.equal(editDistance('abc', 'abc'), 0);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('kitten', 'sitting'), 3);
  });

  it('pick the closest candidate within a quarter of its length, ignoring case', () => {
    const candidates = ['loadAffinity', 'loadConcurrency', 'podLabels'].map((name) => ({ name, suggestion: name }));
    assert.equal(closest('LoadAfinity', candidates), 'loadAffinity');
    assert.equal(closest('podLabel', candidates), 'podLabels');
    assert.equal(closest('loadConcurency', candidates), 'loadConcurrency');
    assert.equal(closest('someothers', candidates), undefined);
    assert.equal(closest('x', [{ name: 'y', suggestion: 'y' }]), 'y');
  });
});
