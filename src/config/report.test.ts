import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatReport } from './report.js';
import type { ConfigReport } from './types.js';

const report = (errors: number, warnings: number): ConfigReport => ({
  source: 'cfg.json',
  config: {},
  errors: Array.from({ length: errors }, (_, i) => ({ path: `loadAffinity[${i}].storageClass`, message: `bad ${i}` })),
  warnings: Array.from({ length: warnings }, (_, i) => ({ path: `w${i}`, message: `odd ${i}` })),
});

describe('formatReport', () => {
  it('prints one line per problem, errors first, then the summary', () => {
    assert.equal(
      formatReport(report(3, 1), 'text'),
      'error: loadAffinity[0].storageClass: bad 0\nerror: loadAffinity[1].storageClass: bad 1\nerror: loadAffinity[2].storageClass: bad 2\nwarning: w0: odd 0\ncfg.json: invalid: 3 errors, 1 warning\n',
    );
  });

  it('summarises with singular and plural counts', () => {
    assert.equal(formatReport(report(0, 0), 'text'), 'cfg.json: valid\n');
    assert.equal(formatReport(report(0, 2), 'text').split('\n').at(-2), 'cfg.json: valid (2 warnings)');
    assert.equal(formatReport(report(0, 1), 'text').split('\n').at(-2), 'cfg.json: valid (1 warning)');
    assert.equal(formatReport(report(1, 0), 'text').split('\n').at(-2), 'cfg.json: invalid: 1 error');
  });

  it('prints exactly {valid, errors, warnings} as JSON, without extra fields', () => {
    const withExtra = report(1, 1);
    Object.assign(withExtra.errors[0] ?? {}, { line: 3 });
    assert.deepEqual(JSON.parse(formatReport(withExtra, 'json')), {
      valid: false,
      errors: [{ path: 'loadAffinity[0].storageClass', message: 'bad 0' }],
      warnings: [{ path: 'w0', message: 'odd 0' }],
    });
    assert.deepEqual(JSON.parse(formatReport(report(0, 0), 'json')), { valid: true, errors: [], warnings: [] });
  });
});
