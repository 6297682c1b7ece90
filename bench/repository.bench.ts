/**
 * Ferry's repository against restic on the same generated data set (≥ 2 GiB by default; `FERRY_BENCH_GIB`
 * overrides), both run as CLI processes with local repositories: first backup, unchanged backup, backup after
 * changing 5 %, full restore. Prints seconds, MB/s, the Ferry/restic speed ratio and each side's peak RSS, then
 * each ratio against issue 6's target. `FERRY_BENCH_ROUNDS` (default 2) repeats the sequence and reports medians;
 * the tools take turns going first, so an even number of rounds treats them alike.
 * Work files go to `FERRY_BENCH_DIR` (default /tmp/ferry-bench); the data set is kept between runs.
 * Each restore writes into a fresh ext4 volume, and each measured step starts from warm memory: see canMakeVolumes
 * and warmMemory for why. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { changeDataset, generateDataset } from './dataset.js';
import type { Dataset } from './dataset.js';
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

/** A tool with its repository (and anything else it keeps) under `dir`. */
type MakeTool = (dir: string, data: string) => Tool;

function ferryTool(dir: string, data: string): Tool {
  const repo = join(dir, 'ferry-repo');
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

function resticTool(dir: string, data: string): Tool {
  const repo = join(dir, 'restic-repo');
  const env = { RESTIC_PASSWORD: PASSWORD, RESTIC_CACHE_DIR: join(dir, 'restic-cache') };
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

/** Issue 6's targets: restic's time over Ferry's for each step, at least this much. */
const TARGETS: Record<string, number> = { 'first backup': 1.5, 'unchanged backup': 2, '5% changed backup': 2, 'full restore': 1.5 };
const RSS_TARGET_MIB = 256;

/**
 * Restic's time over Ferry's: the median over rounds of each round's ratio. Both tools run back to back in a
 * round, so a ratio compares runs under the same load, which the machine's other users change from round to round.
 */
const ratioOf = ([ferry = [], restic = []]: Measured[][]): number =>
  median(ferry.map((f, i) => (restic[i]?.seconds ?? NaN) / f.seconds));

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
};

interface Row {
  step: string;
  bytes: number;
  /** Per tool, one measurement per round. */
  results: Measured[][];
}

/** Where each round's repositories and restores go; deleted after the round. */
const workDir = (base: string): string => join(base, 'rounds');

/**
 * Each restore writes into a freshly made ext4 file system on a loop device, as a DataDownload writes into a freshly
 * provisioned volume. Restoring into a directory of this machine's disk instead measured its ext4 more than the
 * tools: it has no journal, and without one ext4 will not reuse an inode freed in the last 60 s (360 s while its
 * table block is dirty) and checks every such inode one by one on each file it creates (`recently_deleted` and
 * `find_get_block_common` in perf: more than half of a restore right after a round's 35,000 files were deleted, even
 * after a 65 s pause). Making a volume needs root, `mkfs.ext4` and a loop device; without them restores go to
 * directories and each round waits SETTLE_MS after the previous one's deletion.
 */
function canMakeVolumes(base: string): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = join(base, 'probe-volume');
  const unmount = makeVolume(probe, 64 * 1024 * 1024);
  unmount?.();
  rmSync(probe, { recursive: true, force: true });
  return unmount !== undefined;
}

/**
 * Mounts an empty ext4 of `bytes` (a sparse image file) at `dir`; returns how to unmount it, which also deletes the
 * image, or undefined (the image deleted already). The loop device does direct I/O, so the restored data is cached
 * once (by the volume), not a second time by the image.
 */
function makeVolume(dir: string, bytes: number): (() => void) | undefined {
  const image = `${dir}.img`;
  writeFileSync(image, '');
  truncateSync(image, bytes);
  mkdirSync(dir, { recursive: true });
  const ok = (cmd: string, ...args: string[]): boolean => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
  const loop = spawnSync('losetup', ['--find', '--show', '--direct-io=on', image], { encoding: 'utf8' });
  const device = loop.status === 0 ? loop.stdout.trim() : '';
  if (device === '') {
    rmSync(image, { force: true });
    return undefined;
  }
  const unmount = (): void => {
    ok('umount', dir);
    ok('losetup', '--detach', device);
    rmSync(image, { force: true });
  };
  if (ok('mkfs.ext4', '-q', '-F', device) && ok('mount', device, dir)) return unmount;
  unmount();
  return undefined;
}

/**
 * Touches `bytes` of fresh memory in a child process, which then exits. This virtual machine hands free memory back
 * to its host (virtio-balloon free page reporting), and the host must fault it back in when the guest uses it again:
 * a restore's page cache landing on such memory took two to three times the system time (`copy_folio_from_iter_atomic` in perf),
 * and it did so for whichever tool restored second after the backups. Memory just freed has not been handed back
 * yet, so every measured step starts from the same warm state, whichever tool runs it.
 */
function warmMemory(bytes: number): void {
  const script = 'const keep = []; for (let left = Number(process.argv[1]); left > 0; left -= 2 ** 28) keep.push(Buffer.alloc(Math.min(left, 2 ** 28), 1));';
  spawnSync(process.execPath, ['-e', script, String(bytes)], { stdio: 'ignore' });
}

/** The pause after a round's files are deleted (and synced) when restores go to directories: see canMakeVolumes. */
const SETTLE_MS = 65_000;

/**
 * One round: fresh repositories, then the four steps, each tool right after the other on the same data. Odd
 * rounds run Ferry first, even rounds restic, so neither always inherits the other's page cache and dirty pages.
 */
async function runRound(makers: MakeTool[], base: string, dataset: Dataset, round: number, rows: Row[], volumes: boolean): Promise<void> {
  const dir = join(workDir(base), String(round));
  const tools = makers.map((make) => make(dir, dataset.dir));
  for (const tool of tools) await tool.init();
  // Read the data once so the first measured step (Ferry's) does not pay for a cold page cache that the next
  // tool then finds warm; the anchors were measured from the page cache too.
  spawnSync('sh', ['-c', 'find "$1" -type f -exec cat {} + > /dev/null', 'warm', dataset.dir]);
  const step = async (name: string, run: (tool: Tool) => Promise<Measured>): Promise<void> => {
    let row = rows.find((r) => r.step === name);
    if (row === undefined) {
      row = { step: name, bytes: dataset.bytes, results: tools.map(() => []) };
      rows.push(row);
    }
    const order = [...tools.entries()];
    if (round % 2 === 0) order.reverse();
    for (const [i, tool] of order) {
      // Flush the previous step's dirty pages (a restore leaves gigabytes) so neither tool pays for the other's.
      spawnSync('sync');
      warmMemory(dataset.bytes + 2 ** 30);
      const m = await run(tool);
      row.results[i]?.push(m);
      process.stdout.write(`  ${name}: ${tool.name} ${m.seconds.toFixed(2)} s (CPU ${m.cpuSeconds.toFixed(2)} s)\n`);
    }
  };
  await step('first backup', (t) => t.backup());
  await step('unchanged backup', (t) => t.backup());
  const changed = changeDataset(dataset, round);
  console.log(`changed ${(changed / 1e6).toFixed(0)} MB (${((100 * changed) / dataset.bytes).toFixed(1)} %)`);
  await step('5% changed backup', (t) => t.backup());
  const target = (tool: Tool): string => join(dir, `restore-${tool.name}`);
  const unmounts = volumes ? tools.map((tool) => makeVolume(target(tool), 2 * dataset.bytes + 2 ** 30)) : [];
  try {
    if (unmounts.includes(undefined)) throw new Error(`cannot make the restore volumes under ${dir}`);
    await step('full restore', (t) => t.restore(target(t)));
  } finally {
    for (const unmount of unmounts) unmount?.();
  }
}

export async function benchRepository(): Promise<void> {
  const gib = Number(process.env.FERRY_BENCH_GIB ?? '2.1');
  const rounds = Math.max(1, Number(process.env.FERRY_BENCH_ROUNDS ?? '2'));
  const base = process.env.FERRY_BENCH_DIR ?? '/tmp/ferry-bench';
  mkdirSync(base, { recursive: true });
  console.log(`generating ${gib} GiB data set in ${base}/data …`);
  const dataset = generateDataset(join(base, 'data'), gib);
  console.log(`data set: ${(dataset.bytes / 1e9).toFixed(2)} GB in ${dataset.files} files`);
  buildFerry();
  const makers: MakeTool[] = [ferryTool];
  if (ensureRestic()) makers.push(resticTool);
  const tools = makers.map((make) => make(base, dataset.dir));
  const volumes = canMakeVolumes(base);
  console.log(volumes ? 'each restore writes into a fresh ext4 volume (a loop device), as a DataDownload does' : `restores write into directories of ${base} (making a fresh volume needs root, mkfs.ext4 and a loop device)`);
  const rows: Row[] = [];
  for (let round = 1; round <= rounds; round++) {
    if (rounds > 1) console.log(`round ${round} of ${rounds}`);
    try {
      await runRound(makers, base, dataset, round, rows, volumes);
    } finally {
      rmSync(workDir(base), { recursive: true, force: true });
      spawnSync('sync');
    }
    if (round < rounds && !volumes) {
      console.log(`waiting ${SETTLE_MS / 1000} s for the filesystem to settle after deleting the round's files`);
      await sleep(SETTLE_MS);
    }
  }

  const seconds = (ms: Measured[]): number => median(ms.map((m) => m.seconds));
  const cpu = (ms: Measured[]): number => median(ms.map((m) => m.cpuSeconds));
  const rss = (ms: Measured[]): number => Math.max(...ms.map((m) => m.peakRssMiB));
  const header = `${'step'.padEnd(20)}${tools.map((t) => `${t.name} s`.padStart(10) + `${t.name} MB/s`.padStart(13) + 'CPU s'.padStart(8) + 'RSS MiB'.padStart(9)).join('')}${tools.length > 1 ? '  ratio'.padStart(8) : ''}`;
  console.log(`\n${rounds > 1 ? `median of ${rounds} rounds\n` : ''}${header}`);
  for (const { step: name, bytes, results } of rows) {
    const cells = results.map((ms) => `${seconds(ms).toFixed(2).padStart(10)}${mbps(bytes, seconds(ms)).padStart(13)}${cpu(ms).toFixed(2).padStart(8)}${rss(ms).toFixed(0).padStart(9)}`).join('');
    const ratio = tools.length > 1 ? `${ratioOf(results).toFixed(2)}x`.padStart(8) : '';
    console.log(`${name.padEnd(20)}${cells}${ratio}`);
  }
  console.log('');
  if (tools.length > 1) {
    for (const { step: name, results } of rows) {
      const ratio = ratioOf(results);
      const target = TARGETS[name] ?? 1;
      console.log(`${name.padEnd(20)}${ratio.toFixed(2)}× (target ≥ ${target})${ratio >= target ? ' ok' : ' MISSED'}`);
    }
  }
  for (const [i, tool] of tools.entries()) {
    const peak = Math.max(...rows.map((r) => rss(r.results[i] ?? [])));
    const verdict = tool.name === 'ferry' ? ` (target ≤ ${RSS_TARGET_MIB})${peak <= RSS_TARGET_MIB ? ' ok' : ' MISSED'}` : '';
    console.log(`peak RSS ${tool.name}: ${peak.toFixed(0)} MiB${verdict}`);
  }
  console.log('(ratio = restic time / Ferry time, the median of the rounds\' ratios; CPU s = user + system time of all threads,');
  console.log(' the work done, which other load does not change much; FERRY_BENCH_ROUNDS=n repeats the sequence, medians shown;');
  console.log(' the tools take turns going first, so an even n treats them alike)');
}
