import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readlinkSync, readSync, rmSync, statSync, writeFileSync, writeSync, ftruncateSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backupDirectory, loadRootNode } from './backup.js';
import { decodeTree } from './tree.js';
import { restoreSnapshot } from './restore.js';
import { checkRepository } from './check.js';
import { listSnapshots } from './snapshot.js';
import { createFileStorage } from './storage/fs.js';
import { describeTree, makeFixtureTree, testRepository } from './testing.js';

describe('backup and restore', () => {
  let work: string;
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'ferry-backup-test-'));
  });
  after(() => { rmSync(work, { recursive: true, force: true }); });

  it('restores every kind of node byte for byte with its metadata', async () => {
    const source = join(work, 'fixture');
    makeFixtureTree(source);
    const repo = await testRepository();
    const result = await backupDirectory(repo, source);
    assert.equal(result.files, 14);
    assert.equal(result.emptySnapshot, false);
    const target = join(work, 'restored');
    await restoreSnapshot(repo, result.snapshotId, target);
    assert.deepEqual(describeTree(target), describeTree(source));
    // The root directory's own metadata comes back too, and holes stay holes.
    assert.equal(statSync(target).mode, statSync(source).mode);
    assert.ok(statSync(join(target, 'sparse.img')).blocks * 512 < 1024 * 1024, 'sparse file restored sparse');
    assert.deepEqual((await checkRepository(repo, { readData: true })).errors, []);
  });

  it('keeps a sparse file larger than 4 GiB sparse and exact', async () => {
    const source = join(work, 'huge');
    const path = join(source, 'disk.img');
    rmSync(source, { recursive: true, force: true });
    makeDir(source);
    // Just over 4 GiB: reading holes costs kernel time (Node cannot seek to data), so no bigger than needed.
    const size = 4 * 1024 ** 3 + 16 * 1024 * 1024;
    const pieces = [0, 2 ** 32 - 100, size - 1000].map((offset) => ({ offset, data: randomBytes(1000) }));
    const fd = openSync(path, 'w');
    for (const { offset, data } of pieces) writeSync(fd, data, 0, data.length, offset);
    ftruncateSync(fd, size);
    closeSync(fd);
    const repo = await testRepository({ chunking: { minBytes: 512 * 1024, avgBytes: 1024 * 1024, maxBytes: 8 * 1024 * 1024 } });
    const result = await backupDirectory(repo, source);
    // Three pieces of data (one across a chunk boundary), each chunk at most 8 MiB; the rest are holes.
    assert.ok(result.incrementalBytes <= 4 * 8 * 1024 * 1024, `stored ${result.incrementalBytes} bytes of a mostly empty file`);
    assert.ok(result.storedBytes < 1024 * 1024, `${result.storedBytes} bytes after compression`);
    const target = join(work, 'huge-restored');
    await restoreSnapshot(repo, result.snapshotId, target);
    const restored = join(target, 'disk.img');
    assert.equal(statSync(restored).size, size);
    assert.ok(statSync(restored).blocks * 512 < 64 * 1024 * 1024, 'restored sparse');
    const rfd = openSync(restored, 'r');
    for (const { offset, data } of pieces) {
      const back = Buffer.alloc(1000);
      readSync(rfd, back, 0, 1000, offset);
      assert.deepEqual(back, data);
    }
    const hole = Buffer.alloc(4096, 1);
    readSync(rfd, hole, 0, 4096, 3 * 1024 ** 3);
    assert.ok(hole.every((b) => b === 0));
    closeSync(rfd);
    rmSync(source, { recursive: true, force: true });
    rmSync(target, { recursive: true, force: true });
  });

  it('adds almost nothing for the same data and about the changed share after changing 5 %', async () => {
    const source = join(work, 'dedup');
    makeDir(source);
    for (let i = 0; i < 20; i++) writeFileSync(join(source, `f${i}`), randomBytes(256 * 1024));
    const repo = await testRepository();
    const first = await backupDirectory(repo, source);
    assert.equal(first.incrementalBytes, 20 * 256 * 1024);
    const again = await backupDirectory(repo, source, { noParent: true });
    assert.equal(again.incrementalBytes, 0, 'every chunk deduplicated');
    assert.equal(again.storedBytes, 0);
    // 5 %: one of twenty files rewritten.
    writeFileSync(join(source, 'f7'), randomBytes(256 * 1024));
    const changed = await backupDirectory(repo, source);
    assert.equal(changed.parent, again.snapshotId);
    assert.equal(changed.incrementalBytes, 256 * 1024);
    // Appending to a file keeps its first chunks.
    appendFileSync(join(source, 'f3'), randomBytes(1000));
    const appended = await backupDirectory(repo, source);
    assert.ok(appended.incrementalBytes < 200 * 1024, `append stored ${appended.incrementalBytes} bytes`);
    assert.equal((await listSnapshots(repo)).length, 4);
  });

  it('reuses the chunk lists of unchanged files from the parent without reading them', async () => {
    const source = join(work, 'incremental');
    makeDir(source);
    writeFileSync(join(source, 'a'), randomBytes(100_000));
    writeFileSync(join(source, 'b'), randomBytes(100_000));
    const repo = await testRepository();
    await backupDirectory(repo, source);
    const progress: number[] = [];
    writeFileSync(join(source, 'b'), randomBytes(100_000));
    const second = await backupDirectory(repo, source, { onProgress: (p) => progress.push(p.bytesDone) });
    assert.equal(second.incrementalBytes, 100_000);
    // `a` counts as done without being read: bytesDone still reaches the total.
    assert.equal(progress.at(-1), 200_000);
  });

  it('keeps an untouched directory\'s tree and stores new trees above a metadata-only change', async () => {
    const source = join(work, 'meta');
    for (const dir of ['keep/deep', 'touch/deep']) mkdirSync(join(source, dir), { recursive: true });
    for (const dir of ['keep', 'keep/deep', 'touch', 'touch/deep']) writeFileSync(join(source, dir, 'f'), randomBytes(10_000));
    const repo = await testRepository();
    const first = await backupDirectory(repo, source);
    // Same contents, size and mtime: only the mode (hence the ctime) changes, two levels down.
    chmodSync(join(source, 'touch/deep/f'), 0o600);
    const second = await backupDirectory(repo, source);
    assert.equal(second.incrementalBytes, 0);
    const subtrees = async (snapshotId: string): Promise<Map<string, string | undefined>> => {
      const snapshot = (await listSnapshots(repo)).find((s) => s.id === snapshotId);
      const root = await loadRootNode(repo, snapshot?.tree ?? '');
      const nodes = decodeTree(await repo.readBlob(Buffer.from(root.subtree ?? '', 'hex')));
      return new Map(nodes.map((n) => [n.name ?? '', n.subtree]));
    };
    const [before, after] = await Promise.all([subtrees(first.snapshotId), subtrees(second.snapshotId)]);
    assert.equal(after.get('keep'), before.get('keep'));
    assert.notEqual(after.get('touch'), before.get('touch'));
    const target = join(work, 'meta-restored');
    await restoreSnapshot(repo, second.snapshotId, target);
    assert.equal(statSync(join(target, 'touch/deep/f')).mode & 0o777, 0o600);
    assert.deepEqual(describeTree(target), describeTree(source));
  });

  it('restores many files whose chunks share packs, with two workers writing', async () => {
    // Hundreds of files over many small packs: pack ranges hold files that different workers write.
    const source = join(work, 'many');
    makeDir(source);
    for (let i = 0; i < 300; i++) writeFileSync(join(source, `f${i}`), randomBytes(20_000 + ((i * 7919) % 90_000)));
    for (let i = 0; i < 3; i++) writeFileSync(join(source, `big${i}`), randomBytes(3_000_000));
    const repo = await testRepository();
    const result = await backupDirectory(repo, source, { workers: 2 });
    const target = join(work, 'many-restored');
    await restoreSnapshot(repo, result.snapshotId, target, { workers: 2 });
    assert.deepEqual(describeTree(target), describeTree(source));
  });

  it('writes the same trees whatever order the directories finish in', async () => {
    // More directories than the walk keeps open, big files early and small ones late: trees complete out of order.
    const source = join(work, 'deep');
    makeDir(source);
    for (let i = 0; i < 40; i++) {
      const dir = join(source, `d${i}`, `sub${i % 3}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'data'), randomBytes(i < 4 ? 2_000_000 : 5_000 + i));
      writeFileSync(join(source, `d${i}`, 'top'), randomBytes(1000 + i));
    }
    const repo = await testRepository();
    const first = await backupDirectory(repo, source, { workers: 2 });
    assert.equal(first.dirs, 80);
    const again = await backupDirectory(repo, source, { workers: 2, noParent: true });
    const [a, b] = await Promise.all([first, again].map(async ({ snapshotId }) => (await listSnapshots(repo)).find((s) => s.id === snapshotId)?.tree));
    assert.ok(a !== undefined && a === b, 'the same root tree from a fresh read');
    const target = join(work, 'deep-restored');
    await restoreSnapshot(repo, first.snapshotId, target);
    assert.deepEqual(describeTree(target), describeTree(source));
  });

  it('backs up an empty directory as an empty snapshot', async () => {
    const source = join(work, 'nothing');
    makeDir(source);
    const repo = await testRepository();
    const result = await backupDirectory(repo, source);
    assert.equal(result.emptySnapshot, true);
    await restoreSnapshot(repo, result.snapshotId, join(work, 'nothing-restored'));
    assert.deepEqual(describeTree(join(work, 'nothing-restored')), new Map());
  });

  it('cancels promptly and leaves a consistent repository', async () => {
    const source = join(work, 'cancel');
    makeDir(source);
    for (let i = 0; i < 40; i++) writeFileSync(join(source, `f${i}`), randomBytes(512 * 1024));
    const repo = await testRepository();
    const controller = new AbortController();
    setTimeout(() => { controller.abort(); }, 50);
    await assert.rejects(backupDirectory(repo, source, { signal: controller.signal }), { code: 'Canceled' });
    const check = await checkRepository(repo, { readData: true });
    assert.deepEqual(check.errors, []);
    const next = await backupDirectory(repo, source);
    assert.equal(next.files, 40);
  });

  it('cancels a restore midway, with no file of the target or the repository left open', async () => {
    const source = join(work, 'cancel-restore');
    makeDir(source);
    for (let d = 0; d < 8; d++) {
      mkdirSync(join(source, `d${d}`));
      for (let i = 0; i < 400; i++) writeFileSync(join(source, `d${d}`, `f${i}`), randomBytes(2000 + i));
    }
    const repoDir = join(work, 'cancel-repo');
    const repo = await testRepository({}, createFileStorage(repoDir));
    const { snapshotId } = await backupDirectory(repo, source, { workers: 2 });
    const target = join(work, 'cancel-restored');
    const controller = new AbortController();
    // Cancel once the restore is under way: some files are there, most are not.
    const restored = (): number => (statSync(target, { throwIfNoEntry: false }) === undefined ? 0 : readdirSync(target, { recursive: true }).length);
    const poll = setInterval(() => {
      if (restored() > 300) controller.abort();
    }, 2);
    try {
      await assert.rejects(restoreSnapshot(repo, snapshotId, target, { signal: controller.signal, workers: 2 }), { code: 'Canceled' });
    } finally {
      clearInterval(poll);
    }
    assert.ok(restored() < 8 * 401, 'stopped before the end');
    // Nothing of the restore goes on once it has returned: no file of the target open, no pack read afterwards.
    await repo.storage.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const stillOpen = readdirSync('/proc/self/fd').filter((fd) => {
      try {
        const path = readlinkSync(join('/proc/self/fd', fd));
        return path.startsWith(target) || path.startsWith(repoDir);
      } catch {
        return false;
      }
    });
    assert.deepEqual(stillOpen, []);
  });
});

function makeDir(path: string): void {
  rmSync(path, { recursive: true, force: true });
  mkdirSync(path, { recursive: true });
}
