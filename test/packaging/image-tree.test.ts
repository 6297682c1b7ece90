/**
 * The image's file tree without a container engine: the Dockerfile's runtime stage is `dist/` compiled by
 * `tsconfig.build.json` (plus the CRD files its build stage copies), `bin/`, `package.json` and the production
 * dependencies only. This test lays out the same tree in a temporary directory, with `node_modules` holding only the
 * production dependency closure, and runs the CLI from it: so a runtime import of a dev dependency (tsx, ajv, …), a
 * data file tsc does not copy, or a worker that only loads from TypeScript sources fails here, not in a cluster.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeTree, makeFixtureTree } from '../../src/repository/testing.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOCKERFILE = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

/** The directories of the production dependency closure, as npm resolves them (`npm ls --omit=dev`). */
function productionPackages(): string[] {
  const ls = spawnSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(ls.status, 0, `npm ls failed: ${ls.stderr}`);
  const modules = join(ROOT, 'node_modules');
  // Nested packages live inside the top-level ones they belong to, so linking the top level brings them along.
  return ls.stdout
    .split('\n')
    .filter((p) => p.startsWith(`${modules}/`))
    .map((p) => relative(modules, p))
    .filter((p) => !p.includes('/node_modules/'));
}

describe('the image tree (Dockerfile runtime stage, laid out without a container engine)', () => {
  let work: string;
  let app: string;
  const ferry = (args: string[], env: Record<string, string> = {}): SpawnSyncReturns<string> =>
    spawnSync(process.execPath, [join(app, 'bin', 'ferry.js'), ...args], {
      cwd: work,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: work, NODE_ENV: 'production', ...env },
    });

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'ferry-image-'));
    app = join(work, 'app');
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(app, 'dist')], {
      encoding: 'utf8',
    });
    assert.equal(tsc.status, 0, `tsc -p tsconfig.build.json failed:\n${tsc.stdout}${tsc.stderr}`);
    cpSync(join(ROOT, 'src', 'kube', 'crds'), join(app, 'dist', 'kube', 'crds'), { recursive: true });
    cpSync(join(ROOT, 'bin'), join(app, 'bin'), { recursive: true });
    cpSync(join(ROOT, 'package.json'), join(app, 'package.json'));
    for (const pkg of productionPackages()) {
      const link = join(app, 'node_modules', pkg);
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(join(ROOT, 'node_modules', pkg), link, 'dir');
    }
  });
  after(() => {
    rmSync(work, { recursive: true, force: true });
  });

  it('is what the Dockerfile builds: the compiled tree with the CRD files, bin/ and package.json', () => {
    assert.match(DOCKERFILE, /npx tsc -p tsconfig\.build\.json/);
    assert.match(DOCKERFILE, /cp -r src\/kube\/crds dist\/kube\/crds/);
    assert.match(DOCKERFILE, /npm ci --omit=dev/);
    for (const copied of ['/app/node_modules ./node_modules', '/app/dist ./dist', 'package.json ./', 'bin ./bin']) assert.ok(DOCKERFILE.includes(copied), `the runtime stage copies ${copied}`);
    assert.match(DOCKERFILE, /ENTRYPOINT \["node", "\/app\/bin\/ferry\.js"\]/);
  });

  it('builds on the full node:22 image, whose toolchain compiles zstd-napi without its prebuilt binary, and runs on node:22-slim', () => {
    const stages = [...DOCKERFILE.matchAll(/^FROM (\S+)(?: AS (\w+))?$/gm)].map(([, image, name]) => `${name ?? 'runtime'}=${image ?? ''}`);
    assert.deepEqual(stages, ['build=node:22', 'deps=node:22', 'runtime=node:22-slim']);
  });

  it('runs the compiled CLI, not the TypeScript sources, with production dependencies only', () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = ferry(['--version']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), version);
    const tsx = spawnSync(process.execPath, ['-e', 'import("tsx/esm/api")'], { cwd: app, encoding: 'utf8' });
    assert.notEqual(tsx.status, 0, 'tsx (a dev dependency) must not be resolvable from the image tree');
  });

  it('validates the seed sample ConfigMap', () => {
    const r = ferry(['config', 'validate', join(ROOT, 'test', 'fixtures', 'config', 'seed-sample.json')]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  it('reads the Velero CRDs that ferry install applies from the files copied next to dist/kube/', () => {
    const script = "const { veleroCrds } = await import('./dist/kube/crds.js'); console.log(veleroCrds().map((c) => c.metadata.name).join(' '));";
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: app, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'datauploads.velero.io datadownloads.velero.io backupstoragelocations.velero.io');
  });

  it('backs up and restores with the repository workers (zstd, crypto) from the compiled tree', () => {
    const data = join(work, 'data');
    makeFixtureTree(data);
    const repo = `file://${join(work, 'repo')}`;
    const passwordFile = join(work, 'password');
    writeFileSync(passwordFile, 'image-tree-test\n');
    const run = (...args: string[]) => {
      const r = ferry(['repo', '--repo', repo, '--password-file', passwordFile, ...args]);
      assert.equal(r.status, 0, `ferry repo ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    run('init', '--scrypt-n', '1024');
    run('backup', data);
    run('restore', 'latest', join(work, 'restored'));
    assert.deepEqual(describeTree(join(work, 'restored')), describeTree(data));
  });
});
