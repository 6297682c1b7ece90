import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readFile } from 'node:fs/promises';
import { checksumDifferences, checksumTree, generateData } from './data.js';

const MiB = 1024 * 1024;

describe('demo data', () => {
  it('generates about the size asked for: compressible text, random media, duplicates, directories and a link', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-demo-data-'));
    try {
      await generateData(dir, 20 * MiB);
      const { checksums, bytes, files } = await checksumTree(dir);
      assert.equal(bytes, 20 * MiB);
      assert.ok(files >= 6, `${files} files`);
      assert.equal(checksums.get('config/current'), 'link:app/v1/settings.json');
      assert.equal(checksums.get('config/app/v1'), 'dir');
      assert.equal(checksums.get('media-copies/clip-0.bin'), checksums.get('media/clip-0.bin'), 'a copy has the same content');
      const log = await readFile(join(dir, 'logs/app-0.log'));
      assert.ok(gzipSync(log).length < log.length / 3, 'the text compresses');
      const clip = await readFile(join(dir, 'media/clip-1.bin'));
      assert.ok(gzipSync(clip).length > clip.length * 0.99, 'the media does not');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('finds every changed, missing and extra entry of a copy', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-demo-data-'));
    try {
      await generateData(join(dir, 'a'), 2 * MiB);
      await cp(join(dir, 'a'), join(dir, 'b'), { recursive: true, verbatimSymlinks: true });
      const before = (await checksumTree(join(dir, 'a'))).checksums;
      assert.deepEqual(checksumDifferences(before, (await checksumTree(join(dir, 'b'))).checksums), []);
      await writeFile(join(dir, 'b/config/db/schema.sql'), 'DROP TABLE orders;\n');
      await rm(join(dir, 'b/config/empty'));
      await writeFile(join(dir, 'b/stray'), 'x');
      assert.deepEqual(checksumDifferences(before, (await checksumTree(join(dir, 'b'))).checksums), ['config/db/schema.sql: content differs', 'config/empty: missing', 'stray: not in the backup']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
