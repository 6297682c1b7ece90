import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { expandVars, FERRY_BIN, resolveLaunch } from './command.js';

describe('resolveLaunch', () => {
  it('runs this checkout\'s ferry for no command and for any path to ferry', () => {
    assert.ok(existsSync(FERRY_BIN), FERRY_BIN);
    for (const command of [undefined, ['ferry'], ['/ferry'], ['/usr/local/bin/ferry']]) {
      assert.deepEqual(resolveLaunch(command === undefined ? undefined : [...command, 'node-agent'], ['--x']), {
        file: process.execPath,
        args: [FERRY_BIN, ...(command === undefined ? [] : ['node-agent']), '--x'],
      });
    }
  });
  it('maps node to this Node and sh to /bin/sh', () => {
    assert.deepEqual(resolveLaunch(['node', '-e', '1'], []), { file: process.execPath, args: ['-e', '1'] });
    assert.deepEqual(resolveLaunch(['/bin/sh', '-c'], ['exit 3']), { file: '/bin/sh', args: ['-c', 'exit 3'] });
  });
  it('refuses other executables with a runtime-like message', () => {
    const r = resolveLaunch(['/velero'], []);
    assert.ok('error' in r && r.error.startsWith('exec: "/velero": executable file not found'));
  });
});

describe('expandVars', () => {
  const vars: Record<string, string> = { NODE: 'node-1', EMPTY: '' };
  const lookup = (n: string): string | undefined => vars[n];
  const cases: [string, string][] = [
    ['--node=$(NODE)', '--node=node-1'],
    ['$(MISSING)/x', '$(MISSING)/x'],
    ['$$(NODE)', '$(NODE)'],
    ['a$(EMPTY)b', 'ab'],
    ['$(NODE', '$(NODE'],
    ['cost: $5', 'cost: $5'],
    ['trailing $', 'trailing $'],
  ];
  for (const [input, want] of cases) {
    it(`${input} ⇒ ${want}`, () => {
      assert.equal(expandVars(input, lookup), want);
    });
  }
});
