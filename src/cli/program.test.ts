import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ferry = fileURLToPath(new URL('../../bin/ferry.js', import.meta.url));

function run(...args: string[]) {
  return spawnSync(process.execPath, [ferry, ...args], { encoding: 'utf8' });
}

describe('ferry CLI', () => {
  it('prints help and exits 0', () => {
    const r = run('--help');
    assert.equal(r.status, 0);
    assert.match(r.stdout, /Usage: ferry/);
  });
  it('exits 2 on an unknown command', () => {
    const r = run('no-such-command');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /error:/);
  });
});
