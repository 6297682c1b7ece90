import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, writeFileSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Workspace } from './helpers.js';

function flipByte(path: string, offset: number): void {
  const fd = openSync(path, 'r+');
  const byte = Buffer.alloc(1);
  readSync(fd, byte, 0, 1, offset);
  byte[0] = (byte[0] ?? 0) ^ 0xff;
  writeSync(fd, byte, 0, 1, offset);
  closeSync(fd);
}

function objects(repoDir: string, prefix: string): string[] {
  const dir = join(repoDir, prefix);
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((p) => /[0-9a-f]{64}$/.test(p))
    .map((p) => join(dir, p));
}

describe('corruption', () => {
  const ws = new Workspace();
  after(() => { ws.remove(); });

  it('names a damaged pack in check --read-data; restore refuses that file and restores the rest', () => {
    assert.equal(ws.init().status, 0);
    mkdirSync(ws.path('data'));
    // With one worker, files are packed in name order: the first blob of the data pack is a-damaged's only chunk.
    writeFileSync(ws.path('data', 'a-damaged'), randomBytes(300_000));
    writeFileSync(ws.path('data', 'b-fine'), randomBytes(300_000));
    writeFileSync(ws.path('data', 'c-fine'), 'small and fine\n');
    assert.equal(ws.repo(['backup', '--workers', '1', ws.path('data')]).status, 0);
    const pack = objects(ws.repoDir, 'data').sort((x, y) => readFileSync(y).length - readFileSync(x).length)[0] ?? '';
    const packName = `data/${pack.split('/').slice(-2).join('/')}`;
    flipByte(pack, 1000);

    const quick = ws.repo(['check']);
    assert.equal(quick.status, 0, 'structure is intact: only the data is damaged');
    const check = ws.repo(['check', '--read-data']);
    assert.equal(check.status, 1);
    assert.ok(check.stdout.includes(`error: pack ${packName}: blob `), check.stdout);
    assert.match(check.stdout, /fails authentication/);
    assert.match(check.stderr, /error: check found \d+ error\(s\)/);

    const restore = ws.repo(['restore', 'latest', ws.path('restored')]);
    assert.equal(restore.status, 1);
    assert.ok(restore.stderr.includes(`a-damaged: pack ${packName}: blob `), restore.stderr);
    assert.equal(existsSync(ws.path('restored', 'a-damaged')), false, 'the damaged file is not left behind');
    assert.deepEqual(readFileSync(ws.path('restored', 'b-fine')), readFileSync(ws.path('data', 'b-fine')));
    assert.equal(readFileSync(ws.path('restored', 'c-fine'), 'utf8'), 'small and fine\n');
  });

  it('names a damaged index file', () => {
    const [index] = objects(ws.repoDir, 'index');
    assert.ok(index);
    flipByte(index, 40);
    const check = ws.repo(['check']);
    assert.equal(check.status, 1);
    assert.ok(check.stdout.includes(`error: index file index/${index.split('/').at(-1) ?? ''} is damaged`), check.stdout);
  });
});
