import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claimStateFile, readState, releaseStateFile, statePath, writeState } from './statefile.js';

describe('cluster state file', () => {
  it('claims a directory once, replaces a stale claim and releases only its own', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-state-'));
    try {
      await claimStateFile(dir);
      assert.equal((await readState(dir))?.pid, process.pid);
      await writeState(dir, { pid: process.pid, url: 'http://127.0.0.1:1', startedAt: 'now' });
      assert.equal((await readState(dir))?.url, 'http://127.0.0.1:1');

      // A live foreign owner (our parent shell stands in for it) blocks the claim with a clear message.
      await writeFile(statePath(dir), JSON.stringify({ pid: process.ppid, startedAt: '' }));
      await assert.rejects(claimStateFile(dir, 'some/dir'), { message: `a local cluster is already running in some/dir (pid ${process.ppid})` });
      await releaseStateFile(dir);
      assert.equal((await readState(dir))?.pid, process.ppid, 'release leaves a foreign claim alone');

      // A claim by a process that has exited is stale.
      const exited = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
      await writeFile(statePath(dir), JSON.stringify({ pid: Number(exited.stdout), startedAt: '' }));
      await claimStateFile(dir);
      assert.equal((JSON.parse(await readFile(statePath(dir), 'utf8')) as { pid: number }).pid, process.pid);
      await releaseStateFile(dir);
      assert.equal(await readState(dir), undefined);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
