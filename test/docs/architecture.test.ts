/**
 * Keeps the architecture page's folder map true to the tree: every module folder under `src/` (and the nested
 * `repository/storage/`) is in the map of `docs/architecture.md`, every folder the map names exists, and every
 * module's main file starts with the `@module` comment the page promises. "Who calls whom" has a line for every
 * command module of `src/cli/`, and each folder such a module imports is named on its line.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SRC = join(ROOT, 'src');

function folders(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

/** The fenced block under "## Folders": its `name/` entries, nested ones joined to their parent by indentation. */
function mappedFolders(): string[] {
  const page = readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8');
  const section = page.slice(page.indexOf('## Folders'));
  const block = /```\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  const found: string[] = [];
  let parent = '';
  for (const line of block.split('\n')) {
    const match = /^( *)([a-z][\w-]*)\/\s/.exec(line);
    if (match === null) continue;
    const [, indent = '', name = ''] = match;
    if (indent.length === 2) {
      parent = name;
      found.push(name);
    } else if (indent.length > 2) found.push(`${parent}/${name}`);
  }
  return found;
}

/** "Who calls whom": each `cli/<file>.ts ──> …` line with its continuation lines, by file. */
function callLines(): Map<string, string> {
  const page = readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8');
  const section = page.slice(page.indexOf('## Who calls whom'));
  const block = /```\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  const lines = new Map<string, string>();
  let current: string | undefined;
  for (const line of block.split('\n')) {
    const match = /^cli\/([\w-]+\.ts) /.exec(line);
    if (match?.[1] !== undefined) current = match[1];
    if (current !== undefined) lines.set(current, `${lines.get(current) ?? ''}${line}\n`);
  }
  return lines;
}

/** The `src/` folders a CLI file imports (statically or lazily), other than `util/` and `cli/` itself. */
function importedFolders(file: string): string[] {
  const text = readFileSync(join(SRC, 'cli', file), 'utf8');
  const folders = [...text.matchAll(/(?:from|import\()\s*'\.\.\/([\w-]+)\//g)].map((m) => m[1] ?? '');
  return [...new Set(folders)].filter((f) => f !== 'util').sort();
}

describe('docs/architecture.md', () => {
  const mapped = mappedFolders();
  const modules = folders(SRC);

  it('maps every module folder under src/', () => {
    assert.ok(mapped.length > 0, 'no folder map found under "## Folders"');
    const missing = [...modules, 'repository/storage'].filter((f) => !mapped.includes(f));
    assert.deepEqual(missing, [], `folders missing from the map in docs/architecture.md: ${missing.join(', ')}`);
  });

  it('names only folders that exist', () => {
    const stale = mapped.filter((f) => !existsSync(join(SRC, f)));
    assert.deepEqual(stale, [], `docs/architecture.md maps folders that src/ does not have: ${stale.join(', ')}`);
  });

  it('finds the @module comment in every module main file', () => {
    const without = modules.filter((m) => {
      const main = join(SRC, m, 'index.ts');
      return existsSync(main) && !readFileSync(main, 'utf8').slice(0, 2000).includes('@module');
    });
    assert.deepEqual(without, [], `index.ts without an @module comment: ${without.join(', ')}`);
  });

  it('closes every code fence it opens', () => {
    const page = readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8');
    const fences = page.split('\n').filter((l) => l.startsWith('```'));
    assert.equal(fences.length % 2, 0, `${fences.length} fence lines: one is unpaired`);
    // A closing fence is bare; two bare fences in a row mean an empty or broken block.
    fences.forEach((fence, i) => {
      if (i % 2 === 1) assert.equal(fence, '```', `fence ${i + 1} closes a block, so it takes no language`);
    });
  });

  it('has a "who calls whom" line for every command module of src/cli/, naming the folders it imports', () => {
    const lines = callLines();
    const commandModules = readdirSync(join(SRC, 'cli')).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && /export function register/.test(readFileSync(join(SRC, 'cli', f), 'utf8')));
    assert.ok(commandModules.length > 5, `found only ${commandModules.join(', ')}`);
    const problems = commandModules.flatMap((file) => {
      const line = lines.get(file);
      if (line === undefined) return [`cli/${file} has no line`];
      return importedFolders(file)
        .filter((folder) => !line.includes(`${folder}/`))
        .map((folder) => `cli/${file} imports ${folder}/ but its line does not name it`);
    });
    assert.deepEqual(problems, []);
  });
});
