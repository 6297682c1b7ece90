import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatLabels, humanDuration } from './columns.js';

describe('table cells', () => {
  it('prints ages like apimachinery HumanDuration', () => {
    const s = 1000;
    const cases: [number, string][] = [
      [-5 * s, '<invalid>'],
      [59 * s, '59s'],
      [119 * s, '119s'],
      [120 * s, '2m'],
      [(3 * 60 + 20) * s, '3m20s'],
      [45 * 60 * s, '45m'],
      [(5 * 60 + 30) * 60 * s, '5h30m'],
      [30 * 3600 * s, '30h'],
      [(3 * 24 + 4) * 3600 * s, '3d4h'],
      [100 * 24 * 3600 * s, '100d'],
      [(3 * 365 + 10) * 24 * 3600 * s, '3y10d'],
      [10 * 365 * 24 * 3600 * s, '10y'],
    ];
    for (const [ms, text] of cases) assert.equal(humanDuration(ms), text, String(ms));
  });

  it('prints label maps sorted, and <none> when empty', () => {
    assert.equal(formatLabels({ b: '2', a: '1' }), 'a=1,b=2');
    assert.equal(formatLabels({}), '<none>');
    assert.equal(formatLabels(undefined), '<none>');
  });
});
