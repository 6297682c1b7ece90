import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeTree } from '../../src/repository/testing.js';
import { exited, Workspace } from './helpers.js';

function makeData(dir: string, files: number, size: number): void {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < files; i++) writeFileSync(join(dir, `file${i}`), randomBytes(size));
}

function countPacks(repoDir: string): number {
  const data = join(repoDir, 'data');
  if (!existsSync(data)) return 0;
  return readdirSync(data).reduce((n, sub) => n + readdirSync(join(data, sub)).filter((f) => !f.startsWith('.')).length, 0);
}

describe('several writers and interrupted backups', () => {
  const ws = new Workspace();
  after(() => { ws.remove(); });

  it('runs two backups into one repository at once, and both restore exactly', async () => {
    assert.equal(ws.init().status, 0);
    makeData(ws.path('a'), 20, 300_000);
    makeData(ws.path('b'), 20, 300_000);
    const [a, b] = await Promise.all([exited(ws.spawnRepo(['backup', ws.path('a')])), exited(ws.spawnRepo(['backup', ws.path('b')]))]);
    assert.equal(a.status, 0, a.stderr);
    assert.equal(b.status, 0, b.stderr);
    const snapshots = JSON.parse(ws.repo(['-o', 'json', 'snapshots']).stdout) as { id: string; paths: string[] }[];
    for (const name of ['a', 'b']) {
      const snapshot = snapshots.find((s) => s.paths[0] === ws.path(name));
      assert.ok(snapshot, `snapshot of ${name}`);
      const restored = ws.repo(['restore', snapshot.id, ws.path(`${name}-restored`)]);
      assert.equal(restored.status, 0, restored.stderr);
      assert.deepEqual(describeTree(ws.path(`${name}-restored`)), describeTree(ws.path(name)));
    }
    assert.equal(ws.repo(['check', '--read-data']).status, 0);
  });

  it('survives a backup killed midway: check passes, the next backup completes, prune cleans up', async () => {
    makeData(ws.path('big'), 40, 2_000_000);
    const before = countPacks(ws.repoDir);
    const child = ws.spawnRepo(['backup', ws.path('big')]);
    const done = exited(child);
    // Kill once the backup has written at least one pack of its own.
    for (let i = 0; i < 600 && countPacks(ws.repoDir) <= before; i++) await sleep(50);
    child.kill('SIGKILL');
    const killed = await done;
    assert.equal(killed.status, null, 'killed before it finished');
    assert.ok(countPacks(ws.repoDir) > before, 'left packs behind');
    const check = ws.repo(['check']);
    assert.equal(check.status, 0, check.stdout + check.stderr);
    const next = ws.repo(['backup', ws.path('big')]);
    assert.equal(next.status, 0, next.stderr);
    assert.match(next.stdout, /saved: 40 files/);
    const prune = ws.repo(['-o', 'json', 'prune']);
    assert.equal(prune.status, 0, prune.stderr);
    const check2 = ws.repo(['check', '--read-data']);
    assert.equal(check2.status, 0, check2.stdout + check2.stderr);
    assert.doesNotMatch(check2.stderr, /is in no index/);
    const restored = ws.repo(['restore', 'latest', ws.path('big-restored')]);
    assert.equal(restored.status, 0, restored.stderr);
    assert.deepEqual(describeTree(ws.path('big-restored')), describeTree(ws.path('big')));
  });
});
