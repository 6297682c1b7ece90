import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backupDirectory } from './backup.js';
import { ID_BYTES } from './crypto.js';
import { listTree } from './ls.js';
import { ParentChunks } from './parent-chunks.js';
import { restoreSnapshot } from './restore.js';
import type { Repository } from './repository.js';
import { describeTree, testRepository } from './testing.js';
import type { ContentItem } from './tree.js';

const id = (n: number): Buffer => Buffer.alloc(ID_BYTES, n);

describe('ParentChunks', () => {
  // Items: chunk 1 (100 bytes), chunk 2 (200), a 50-byte hole, chunk 3 (300, the last).
  const hint = { ids: Buffer.concat([id(1), id(2), Buffer.alloc(ID_BYTES), id(3)]), lengths: [100, 200, -50, 300] };

  it('proposes the parent chunks in order while they match', () => {
    const parent = new ParentChunks(hint);
    assert.equal(parent.guess(10_000, false), 100);
    assert.equal(parent.confirm(id(1)), true);
    assert.equal(parent.guess(10_000, false), 200);
    assert.equal(parent.confirm(id(2)), true);
    // A hole is left to the chunker's zero-run shortcut.
    assert.equal(parent.guess(10_000, false), 0);
  });

  it('proposes nothing after a mismatch until the chunker finds its way back', () => {
    const parent = new ParentChunks(hint);
    assert.equal(parent.confirm(id(9)), false);
    assert.equal(parent.guess(10_000, false), 0);
    // Back on a parent boundary by offset (an overwrite in place) …
    parent.resync(100, id(8));
    assert.equal(parent.guess(10_000, false), 200);
    // … or by content (bytes inserted before): the item after the matching one comes next.
    parent.resync(12_345, id(1));
    assert.equal(parent.guess(10_000, false), 200);
    parent.resync(12_345, undefined);
    assert.equal(parent.guess(10_000, false), 0);
  });

  it('proposes the last chunk only where the file ends with it, and nothing longer than what was read', () => {
    const parent = new ParentChunks(hint);
    parent.resync(350, undefined);
    assert.equal(parent.guess(10_000, false), 0, 'the file goes on: the parent cut at its end, the chunker might not');
    assert.equal(parent.guess(400, true), 0, 'the file ends elsewhere');
    assert.equal(parent.guess(300, true), 300);
    parent.resync(0, undefined);
    assert.equal(parent.guess(99, false), 0);
  });
});

describe('backup of changed files with a parent', () => {
  let work: string;
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'ferry-parent-chunks-test-'));
  });
  after(() => { rmSync(work, { recursive: true, force: true }); });

  async function contents(repo: Repository, snapshotId: string): Promise<Map<string, ContentItem[]>> {
    const files = new Map<string, ContentItem[]>();
    await listTree(repo, snapshotId, ({ path, node }) => {
      if (node.type === 'file') files.set(path, node.content ?? []);
    });
    return files;
  }

  it('cuts exactly the chunks a backup without parent cuts, and restores byte for byte', async () => {
    const source = join(work, 'changed');
    mkdirSync(source, { recursive: true });
    const names = ['overwritten', 'inserted', 'truncated', 'appended', 'sparse', 'touched', 'replaced'];
    for (const name of names) writeFileSync(join(source, name), randomBytes(3 * 1024 * 1024));
    const sparse = openSync(join(source, 'sparse'), 'r+');
    writeSync(sparse, Buffer.alloc(2 * 1024 * 1024), 0, 2 * 1024 * 1024, 512 * 1024);
    closeSync(sparse);
    const repo = await testRepository({ chunking: { minBytes: 16 * 1024, avgBytes: 64 * 1024, maxBytes: 256 * 1024 } });
    const first = await backupDirectory(repo, source, { workers: 2 });

    const overwrite = (name: string, offset: number, length: number): void => {
      const fd = openSync(join(source, name), 'r+');
      writeSync(fd, randomBytes(length), 0, length, offset);
      closeSync(fd);
    };
    overwrite('overwritten', 1024 * 1024, 100_000);
    writeFileSync(join(source, 'inserted'), Buffer.concat([randomBytes(1000), readFileSync(join(source, 'inserted'))]));
    truncateSync(join(source, 'truncated'), 3 * 1024 * 1024 - 50_000);
    appendFileSync(join(source, 'appended'), randomBytes(300_000));
    overwrite('sparse', 2900 * 1024, 10_000);
    writeFileSync(join(source, 'touched'), readFileSync(join(source, 'touched')));
    writeFileSync(join(source, 'replaced'), randomBytes(3 * 1024 * 1024));

    const withParent = await backupDirectory(repo, source, { workers: 2 });
    assert.equal(withParent.parent, first.snapshotId);
    const without = await backupDirectory(repo, source, { workers: 2, noParent: true });
    assert.equal(without.incrementalBytes, 0, 'the backup without parent found every chunk already stored');
    const guessed = await contents(repo, withParent.snapshotId);
    const cut = await contents(repo, without.snapshotId);
    for (const name of names) assert.deepEqual(guessed.get(name), cut.get(name), `chunks of ${name}`);
    // The unchanged parts deduplicated: far less than the 21 MiB of the files is new.
    assert.ok(withParent.incrementalBytes < 5 * 1024 * 1024, `${withParent.incrementalBytes} new bytes`);

    const target = join(work, 'restored');
    await restoreSnapshot(repo, withParent.snapshotId, target);
    assert.deepEqual(describeTree(target), describeTree(source));
  });
});
