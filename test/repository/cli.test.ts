import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { describeTree, makeFixtureTree } from '../../src/repository/testing.js';
import { Workspace } from './helpers.js';

describe('ferry repo (CLI, file:// repository)', () => {
  const ws = new Workspace();
  before(() => { makeFixtureTree(ws.path('data')); });
  after(() => { ws.remove(); });

  it('refuses to run without a password, and names both ways to give one', () => {
    const r = ws.repo(['init'], { FERRY_REPO_PASSWORD: undefined });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /error: no password: set FERRY_REPO_PASSWORD or pass --password-file FILE/);
  });

  it('initializes once', () => {
    const r = ws.repo(['init', '--scrypt-n', '1024']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^created repository [0-9a-f]{8} at file:\/\//);
    const again = ws.repo(['init']);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /error: a repository already exists at file:\/\//);
  });

  it('backs up with a readable summary, then incrementally with JSON progress and result', () => {
    const first = ws.repo(['backup', ws.path('data'), '--tag', 'volume=pvc-1']);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /^snapshot [0-9a-f]{8} saved: 14 files, [\d.]+ [kM]B \([\d.]+ [kM]B new, [\d.]+ [kM]?B stored after compression\) in [\d.]+ s\n$/);
    const second = ws.repo(['-o', 'json', 'backup', ws.path('data'), '--tag', 'volume=pvc-1']);
    assert.equal(second.status, 0, second.stderr);
    const lines = second.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const result = lines.at(-1) ?? {};
    assert.equal(result.type, 'result');
    assert.equal(result.incrementalBytes, 0);
    assert.equal(typeof result.parent, 'string');
    assert.ok(lines.some((l) => l.type === 'progress'), 'progress lines');
  });

  it('lists snapshots and their files', () => {
    const r = ws.repo(['-o', 'json', 'snapshots']);
    const snapshots = JSON.parse(r.stdout) as { id: string; tags: Record<string, string>; paths: string[] }[];
    assert.equal(snapshots.length, 2);
    const [first] = snapshots;
    assert.ok(first);
    assert.deepEqual(first.tags, { volume: 'pvc-1' });
    const ls = ws.repo(['ls', first.id.slice(0, 8)]);
    assert.equal(ls.status, 0, ls.stderr);
    assert.ok(ls.stdout.split('\n').includes('sub/deeper/deepest/leaf'));
    assert.ok(ls.stdout.includes('ünïcødé ✓ 文件.txt'));
  });

  it('restores the latest snapshot exactly', () => {
    const r = ws.repo(['restore', 'latest', ws.path('restored')]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /restored to .*: 14 files/);
    assert.deepEqual(describeTree(ws.path('restored')), describeTree(ws.path('data')));
  });

  it('checks, reads all data, and reports stats', () => {
    const check = ws.repo(['check', '--read-data']);
    assert.equal(check.status, 0, check.stdout + check.stderr);
    assert.match(check.stdout, /no errors: \d+ packs, 2 snapshots, all data read/);
    const stats = ws.repo(['-o', 'json', 'stats']);
    const s = JSON.parse(stats.stdout) as { snapshots: number; dataBlobs: number; storedBytes: number; uniqueBytes: number };
    assert.equal(s.snapshots, 2);
    assert.ok(s.storedBytes < s.uniqueBytes, 'compression saved space');
  });

  it('adds and removes passwords, never the one in use, and rejects a wrong one clearly', () => {
    writeFileSync(ws.path('new-password'), 'second password\n');
    const add = ws.repo(['key', 'add', '--new-password-file', ws.path('new-password')]);
    assert.equal(add.status, 0, add.stderr);
    const newId = /added key ([0-9a-f]{8})/.exec(add.stdout)?.[1] ?? '';
    const withNew = ws.repo(['snapshots', '--password-file', ws.path('new-password')]);
    assert.equal(withNew.status, 0, withNew.stderr);
    const keys = JSON.parse(ws.repo(['-o', 'json', 'key', 'list']).stdout) as { id: string; current: boolean }[];
    const current = keys.find((k) => k.current)?.id ?? '';
    const refuse = ws.repo(['key', 'remove', current.slice(0, 8)]);
    assert.equal(refuse.status, 1);
    assert.match(refuse.stderr, /is the one this password opened/);
    const remove = ws.repo(['key', 'remove', newId]);
    assert.equal(remove.status, 0, remove.stderr);
    const wrong = ws.repo(['snapshots', '--password-file', ws.path('new-password')]);
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, /^error: wrong password: none of the 1 keys of file:\/\/.* opens with it\nhint: /);
    assert.equal(wrong.stdout, '');
  });

  it('forgets a snapshot, and prune then frees the data only it used', () => {
    writeFileSync(ws.path('data', 'only-in-third'), `${'x'.repeat(300_000)}${Math.random()}`);
    const third = ws.repo(['-o', 'json', 'backup', ws.path('data')]);
    const id = (JSON.parse(third.stdout.trim().split('\n').at(-1) ?? '{}') as { snapshotId: string }).snapshotId;
    assert.equal(ws.repo(['forget', id]).status, 0);
    const prune = ws.repo(['-o', 'json', 'prune']);
    assert.equal(prune.status, 0, prune.stderr);
    const result = JSON.parse(prune.stdout) as { packsDeleted: number; packsRepacked: number };
    assert.ok(result.packsDeleted + result.packsRepacked > 0, prune.stdout);
    assert.equal(ws.repo(['check', '--read-data']).status, 0);
    assert.equal(ws.repo(['restore', 'latest', ws.path('restored-after-prune')]).status, 0);
  });
});
