/**
 * Ferry's repository against restic on the same generated data set (≥ 2 GiB by default; `FERRY_BENCH_GIB`
 * overrides), both run as CLI processes with local repositories: first backup, unchanged backup, backup after
 * changing 5 %, full restore. Prints seconds, MB/s, the Ferry/restic speed ratio and each side's peak RSS.
 * Work files go to `FERRY_BENCH_DIR` (default /tmp/ferry-bench); the data set is kept between runs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { changeDataset, generateDataset } from './dataset.js';
import { measure } from './measure.js';
import type { Measured } from './measure.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The CLI compiled to JavaScript, as the container image runs it (tsx would add its own startup and memory). */
const BUILD_DIR = join(ROOT, '.ferry', 'bench-dist');
const FERRY = join(BUILD_DIR, 'cli', 'main.js');

function buildFerry(): void {
  console.log(`compiling Ferry into ${BUILD_DIR} …`);
  // tsc emits even when another module has type errors; only a missing entry point is fatal here.
  spawnSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', join(ROOT, 'tsconfig.build.json'), '--outDir', BUILD_DIR], { stdio: 'ignore' });
  if (!existsSync(FERRY)) throw new Error(`compiling Ferry failed: ${FERRY} is missing (run npx tsc -p tsconfig.build.json)`);
}
const PASSWORD = 'ferry-bench-password';

function ensureRestic(): boolean {
  if (spawnSync('restic', ['version']).status === 0) return true;
  console.log('restic not found: installing Debian\'s restic (apt-get install -y restic)');
  const install = spawnSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq restic'], { stdio: 'inherit' });
  if (install.status === 0 && spawnSync('restic', ['version']).status === 0) return true;
  console.log('restic could not be installed: measuring Ferry alone (run as root with network access to compare)');
  return false;
}

interface Tool {
  name: string;
  init(): Promise<void>;
  backup(): Promise<Measured>;
  restore(target: string): Promise<Measured>;
}

function ferryTool(repo: string, data: string): Tool {
  const env = { FERRY_REPO_PASSWORD: PASSWORD };
  const run = (...args: string[]) => measure(process.execPath, [FERRY, 'repo', '--repo', repo, ...args], env);
  return {
    name: 'ferry',
    init: async () => {
      await run('init');
    },
    backup: () => run('backup', data),
    restore: (target) => run('restore', 'latest', target),
  };
}

function resticTool(repo: string, data: string): Tool {
  const env = { RESTIC_PASSWORD: PASSWORD, RESTIC_CACHE_DIR: join(repo, '..', 'restic-cache') };
  const run = (...args: string[]) => measure('restic', ['-r', repo, '--no-cache', ...args], env);
  return {
    name: 'restic',
    init: async () => {
      await run('init');
    },
    backup: () => run('backup', '--quiet', data),
    restore: (target) => run('restore', 'latest', '--target', target),
  };
}

const mbps = (bytes: number, s: number): string => (bytes / 1e6 / s).toFixed(0).padStart(6);

export async function benchRepository(): Promise<void> {
  const gib = Number(process.env.FERRY_BENCH_GIB ?? '2.1');
  const base = process.env.FERRY_BENCH_DIR ?? '/tmp/ferry-bench';
  mkdirSync(base, { recursive: true });
  console.log(`generating ${gib} GiB data set in ${base}/data …`);
  const dataset = generateDataset(join(base, 'data'), gib);
  console.log(`data set: ${(dataset.bytes / 1e9).toFixed(2)} GB in ${dataset.files} files`);
  buildFerry();
  const tools = [ferryTool(join(base, 'ferry-repo'), dataset.dir)];
  if (ensureRestic()) tools.push(resticTool(join(base, 'restic-repo'), dataset.dir));
  for (const dir of ['ferry-repo', 'restic-repo', 'restic-cache', 'restore']) rmSync(join(base, dir), { recursive: true, force: true });
  for (const tool of tools) await tool.init();
  // Read the data once so the first measured step (Ferry's) does not pay for a cold page cache that the next
  // tool then finds warm; the anchors were measured from the page cache too.
  spawnSync('sh', ['-c', 'find "$1" -type f -exec cat {} + > /dev/null', 'warm', dataset.dir]);

  const rows: { step: string; bytes: number; results: Measured[] }[] = [];
  const step = async (name: string, bytes: number, run: (tool: Tool) => Promise<Measured>): Promise<void> => {
    const results: Measured[] = [];
    for (const tool of tools) {
      // Flush the previous step's dirty pages (a restore leaves gigabytes) so neither tool pays for the other's.
      spawnSync('sync');
      results.push(await run(tool));
      process.stdout.write(`  ${name}: ${tool.name} ${(results.at(-1)?.seconds ?? 0).toFixed(2)} s\n`);
    }
    rows.push({ step: name, bytes, results });
  };
  await step('first backup', dataset.bytes, (t) => t.backup());
  await step('unchanged backup', dataset.bytes, (t) => t.backup());
  const changed = changeDataset(dataset, 1);
  console.log(`changed ${(changed / 1e6).toFixed(0)} MB (${((100 * changed) / dataset.bytes).toFixed(1)} %)`);
  await step('5% changed backup', dataset.bytes, (t) => t.backup());
  await step('full restore', dataset.bytes, async (t) => {
    const target = join(base, 'restore');
    rmSync(target, { recursive: true, force: true });
    const m = await t.restore(target);
    rmSync(target, { recursive: true, force: true });
    spawnSync('sync');
    return m;
  });

  const header = `${'step'.padEnd(20)}${tools.map((t) => `${t.name} s`.padStart(10) + `${t.name} MB/s`.padStart(13) + 'RSS MiB'.padStart(9)).join('')}${tools.length > 1 ? '  ratio'.padStart(8) : ''}`;
  console.log(`\n${header}`);
  for (const { step: name, bytes, results } of rows) {
    const cells = results.map((m) => `${m.seconds.toFixed(2).padStart(10)}${mbps(bytes, m.seconds).padStart(13)}${m.peakRssMiB.toFixed(0).padStart(9)}`).join('');
    const [ferry, restic] = results;
    const ratio = ferry && restic ? `${(restic.seconds / ferry.seconds).toFixed(2)}x`.padStart(8) : '';
    console.log(`${name.padEnd(20)}${cells}${ratio}`);
  }
  for (const [i, tool] of tools.entries()) {
    const peak = Math.max(...rows.map((r) => r.results[i]?.peakRssMiB ?? 0));
    console.log(`peak RSS ${tool.name}: ${peak.toFixed(0)} MiB`);
  }
  console.log('(ratio = restic time / Ferry time; targets: ≥ 1.5 first backup and restore, ≥ 2 unchanged and changed; RSS ≤ 256 MiB)');
}
