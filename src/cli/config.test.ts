import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ferry = fileURLToPath(new URL('../../bin/ferry.js', import.meta.url));
const fixture = (name: string): string => fileURLToPath(new URL(`../../test/fixtures/config/${name}`, import.meta.url));

function run(...args: string[]) {
  return spawnSync(process.execPath, [ferry, 'config', 'validate', ...args], { encoding: 'utf8' });
}

describe('ferry config validate', () => {
  it("exits 0 on the seed's sample, with the summary on stdout and nothing on stderr", () => {
    const r = run(fixture('seed-sample.json'));
    assert.equal(r.status, 0);
    assert.equal(r.stdout, `${fixture('seed-sample.json')}: valid\n`);
    assert.equal(r.stderr, '');
  });

  it('exits 0 on a valid config with warnings, printing them on stderr', () => {
    const file = fixture('warnings.json');
    const r = run(file);
    assert.equal(r.status, 0);
    assert.equal(r.stdout, `${file}: valid (2 warnings)\n`);
    assert.equal(
      r.stderr,
      'warning: LoadAffinity: keys match case-insensitively (as in Velero), so this sets "loadAffinity"; spell it "loadAffinity"\n' +
        'warning: loadAffinity[1]: never used: loadAffinity[0] is the first entry without storageClass and the only one applied; merge the two entries or remove this one\n',
    );
  });

  it('exits 1 on an invalid config, listing every problem with its path', () => {
    const file = fixture('invalid.json');
    const r = run(file);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, `${file}: invalid: 2 errors, 1 warning\n`);
    assert.deepEqual(r.stderr.split('\n'), [
      'error: loadConcurrency.globalConfig: expected an integer, got string "5"',
      'error: loadAffinity[0].nodeSelector.matchExpressions[1].operator: "in" is not a valid operator (use In, NotIn, Exists or DoesNotExist); did you mean "In"? (operators are case-sensitive)',
      'warning: loadAfinity: unknown key, ignored (did you mean "loadAffinity"?)',
      '',
    ]);
  });

  it('prints exactly {valid, errors, warnings} on stdout with -o json', () => {
    const invalid = run('-o', 'json', fixture('invalid.json'));
    assert.equal(invalid.status, 1);
    assert.equal(invalid.stderr, '');
    const parsed = JSON.parse(invalid.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(parsed), ['valid', 'errors', 'warnings']);
    assert.equal(parsed.valid, false);
    assert.deepEqual(parsed.warnings, [{ path: 'loadAfinity', message: 'unknown key, ignored (did you mean "loadAffinity"?)' }]);
    assert.deepEqual((parsed.errors as { path: string }[]).map((e) => Object.keys(e)), [['path', 'message'], ['path', 'message']]);

    const valid = run(fixture('node-agent-configmap.yaml'), '--output', 'json');
    assert.equal(valid.status, 0);
    assert.deepEqual(JSON.parse(valid.stdout), { valid: true, errors: [], warnings: [] });
  });

  it('exits 2 on usage errors: no FILE, a bad -o value', () => {
    const none = run();
    assert.equal(none.status, 2);
    assert.match(none.stderr, /error: missing required argument 'file'/);
    const badOutput = run('-o', 'yaml', fixture('seed-sample.json'));
    assert.equal(badOutput.status, 2);
    assert.match(badOutput.stderr, /argument 'yaml' is invalid\. Allowed choices are text, json/);
  });

  it('exits 1 with the path when the file cannot be read, without a stack trace', () => {
    const r = run('/nonexistent/config.json');
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'error: cannot read config file /nonexistent/config.json: no such file\nhint: give a raw JSON config or a ConfigMap manifest (YAML or JSON)\n');
  });
});
