import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, link, lstat, lutimes, mkdir, mkdtemp, readFile, readlink, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyTree } from './copy.js';

describe('copyTree', () => {
  let base = '';
  after(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('copies contents, modes, times of files, directories and symlinks, symlinks and hardlinks as they are', async () => {
    base = await mkdtemp(join(tmpdir(), 'ferry-copy-'));
    const src = join(base, 'src');
    const old = new Date('2020-01-02T03:04:05Z');
    await mkdir(join(src, 'sub', 'deep'), { recursive: true });
    await writeFile(join(src, 'a'), 'alpha');
    await chmod(join(src, 'a'), 0o751);
    await link(join(src, 'a'), join(src, 'sub', 'hard'));
    await symlink('../a', join(src, 'sub', 'link'));
    await writeFile(join(src, 'sub', 'deep', 'b'), Buffer.alloc(100_000, 7));
    for (const p of ['a', 'sub/deep/b', 'sub/deep', 'sub']) await utimes(join(src, p), old, old);
    await lutimes(join(src, 'sub', 'link'), old, old);
    await chmod(join(src, 'sub'), 0o700);

    const dst = join(base, 'dst');
    await mkdir(dst);
    await writeFile(join(dst, 'stale'), 'replaced');
    await copyTree(src, dst);

    assert.equal(await readFile(join(dst, 'a'), 'utf8'), 'alpha');
    assert.deepEqual(await readFile(join(dst, 'sub', 'deep', 'b')), Buffer.alloc(100_000, 7));
    await assert.rejects(lstat(join(dst, 'stale')), /ENOENT/, 'the destination is replaced, not merged');
    assert.equal(await readlink(join(dst, 'sub', 'link')), '../a');
    const [a, hard, sub, deep, lnk] = await Promise.all(['a', 'sub/hard', 'sub', 'sub/deep', 'sub/link'].map((p) => lstat(join(dst, p))));
    assert.equal(a!.ino, hard!.ino, 'hardlinks stay hardlinks');
    assert.equal(a!.mode & 0o7777, 0o751);
    assert.equal(sub!.mode & 0o7777, 0o700);
    for (const s of [a!, sub!, deep!, lnk!]) assert.equal(s.mtime.toISOString(), old.toISOString());
  });
});
