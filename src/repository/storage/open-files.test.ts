import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpenFiles } from './open-files.js';

/** The files under `dir` this process has open, by path. */
function openUnder(dir: string): string[] {
  const paths: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(join('/proc/self/fd', fd));
      if (target.startsWith(dir)) paths.push(target);
    } catch {
      // The directory's own descriptor, closed while listing.
    }
  }
  return paths.sort();
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 50));

describe('open files for range reads', () => {
  let dir: string;
  const file = (name: string): string => join(dir, name);
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-open-files-'));
    for (const name of ['a', 'b', 'c', 'd']) writeFileSync(file(name), name.repeat(10));
  });
  after(() => { rmSync(dir, { recursive: true, force: true }); });

  it('reuses an open file, keeps at most max open, and closes them all', async () => {
    const files = new OpenFiles(2);
    const read = (name: string): Promise<string> =>
      files.with(file(name), async (handle, size) => {
        const out = Buffer.alloc(size);
        await handle.read(out, 0, size, 0);
        return `${out.toString()}:${handle.fd}`;
      });
    const [first, again] = [await read('a'), await read('a')];
    assert.equal(first, again, 'the same descriptor serves the second read');
    for (const name of ['b', 'c', 'd']) assert.match(await read(name), new RegExp(`^${name.repeat(10)}:`));
    await settle();
    assert.deepEqual(openUnder(dir), [file('c'), file('d')]);
    await files.closeAll();
    assert.deepEqual(openUnder(dir), []);
  });

  it('closes a file pushed out while a read uses it only once that read is done', async () => {
    const files = new OpenFiles(1);
    let release = (): void => undefined;
    const held = files.with(file('a'), async (handle) => {
      await new Promise<void>((resolve) => (release = resolve));
      return (await handle.stat()).size;
    });
    await settle();
    await files.with(file('b'), () => Promise.resolve());
    await settle();
    assert.deepEqual(openUnder(dir), [file('a'), file('b')], 'a is still in use');
    release();
    assert.equal(await held, 10);
    await settle();
    assert.deepEqual(openUnder(dir), [file('b')]);
    await files.closeAll();
  });

  it('opens anew after a failed open, once the file exists', async () => {
    const files = new OpenFiles(4);
    await assert.rejects(files.with(file('late'), () => Promise.resolve()), { code: 'ENOENT' });
    writeFileSync(file('late'), 'x');
    assert.equal(await files.with(file('late'), (_, size) => Promise.resolve(size)), 1);
    await files.closeAll();
  });
});
