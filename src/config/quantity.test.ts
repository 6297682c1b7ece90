import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuantity } from './quantity.js';

describe('parseQuantity', () => {
  it('reads Kubernetes quantities in base units', () => {
    const table: [string, number][] = [
      ['2', 2],
      ['500m', 0.5],
      ['0.1', 0.1],
      ['.5', 0.5],
      ['1.', 1],
      ['+1.5k', 1500],
      ['-1', -1],
      ['1Ki', 1024],
      ['100Mi', 104_857_600],
      ['1.5Gi', 1_610_612_736],
      ['1Ei', 2 ** 60],
      ['1e3', 1000],
      ['1E3', 1000],
      ['1e-3', 0.001],
      ['1E', 1e18],
      ['5n', 5e-9],
      ['250u', 0.00025],
      ['2M', 2e6],
      ['0', 0],
      ['-0', 0],
      ['Gi', 0],
    ];
    for (const [text, expected] of table) assert.equal(parseQuantity(text), expected, text);
  });

  it('rounds once, so decimal values are exact doubles', () => {
    assert.equal(parseQuantity('0.3'), 0.3);
    assert.equal(parseQuantity('2.675Gi'), 2.675 * 1024 ** 3);
    assert.equal(parseQuantity('100m'), 0.1);
  });

  it('rejects what Kubernetes rejects', () => {
    for (const text of ['', ' 1', '1 ', '1ki', '1K', '1Gb', '1e', '1e+', '1.5.5', 'abc', '1m1', '--1', '0x10']) {
      assert.equal(parseQuantity(text), undefined, JSON.stringify(text));
    }
  });
});
