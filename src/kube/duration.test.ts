import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { durationFlag, formatGoDuration, parseGoDuration } from './duration.js';

describe('Go durations', () => {
  const parsed: [string, number | undefined][] = [
    ['30m', 1_800_000],
    ['1h30m', 5_400_000],
    ['10m0s', 600_000],
    ['10s', 10_000],
    ['1.5h', 5_400_000],
    ['300ms', 300],
    ['0', 0],
    ['-2s', -2000],
    ['', undefined],
    ['10', undefined],
    ['5 m', undefined],
    ['1d', undefined],
  ];
  for (const [text, ms] of parsed) {
    it(`reads ${JSON.stringify(text)} as ${String(ms)}`, () => {
      assert.equal(parseGoDuration(text), ms);
    });
  }

  it('writes them as Go does', () => {
    assert.equal(formatGoDuration(600_000), '10m0s');
    assert.equal(formatGoDuration(5_400_000), '1h30m0s');
    assert.equal(formatGoDuration(1500), '1.5s');
    assert.equal(formatGoDuration(0), '0s');
    assert.equal(formatGoDuration(250), '250ms');
  });

  it('rejects a bad flag value with the flag name and an example', () => {
    assert.throws(() => durationFlag('--data-mover-prepare-timeout', '30 minutes'), (err: Error & { hint?: string }) => {
      assert.match(err.message, /--data-mover-prepare-timeout "30 minutes" is not a duration/);
      assert.match(err.hint ?? '', /1h30m/);
      return true;
    });
  });
});
