/** `ferry local up|down` through the real CLI: detached start, double starts, port clashes, Ctrl-C, down. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';

const ferry = fileURLToPath(new URL('../../bin/ferry.js', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ferry, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('ferry local up/down', () => {
  let root: string;
  let dir: string;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'ferry-local-cli-'));
    dir = join(root, 'cluster');
  });
  after(async () => {
    await run('local', 'down', '--dir', dir);
    await rm(root, { recursive: true, force: true });
  });

  it('starts detached, refuses a second start in the same directory or on the same port, and stops', async () => {
    const up = await run('local', 'up', '--dir', dir, '--detach');
    assert.equal(up.code, 0, up.stderr);
    assert.equal(up.stdout, `export KUBECONFIG=${join(dir, 'kubeconfig')}\n`);
    const state = JSON.parse(await readFile(join(dir, 'cluster.json'), 'utf8')) as { pid: number; port: number; url: string };
    assert.ok(alive(state.pid));
    const kc = new KubeConfig();
    kc.loadFromFile(join(dir, 'kubeconfig'));
    const core = kc.makeApiClient(CoreV1Api);
    const namespaces = await core.listNamespace();
    // `velero` holds the local object store's endpoint and credentials, for `ferry install`.
    assert.deepEqual(namespaces.items.map((n) => n.metadata?.name), ['default', 'kube-node-lease', 'kube-public', 'kube-system', 'velero']);
    const nodes = await core.listNode();
    assert.deepEqual(nodes.items.map((n) => n.metadata?.name), ['node-1', 'node-2', 'node-3']);

    const again = await run('local', 'up', '--dir', dir, '--detach');
    assert.equal(again.code, 1);
    assert.equal(again.stderr, `error: a local cluster is already running in ${dir} (pid ${state.pid})\nhint: stop it with ferry local down --dir ${dir}\n`);
    const clash = await run('local', 'up', '--dir', join(root, 'other'), '--port', String(state.port));
    assert.equal(clash.code, 1);
    assert.match(clash.stderr, new RegExp(`^error: port ${state.port} is in use\\nhint: pick another with --port`));

    const down = await run('local', 'down', '--dir', dir);
    assert.equal(down.code, 0, down.stderr);
    assert.ok(!alive(state.pid));
    assert.ok(!existsSync(join(dir, 'cluster.json')));
    const twice = await run('local', 'down', '--dir', dir);
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /^error: no local cluster is running in .*cluster\nhint: start one with ferry local up/);
  });

  it('runs in the foreground until SIGINT, then cleans up', async () => {
    const fg = join(root, 'fg');
    const child = spawn(process.execPath, [ferry, 'local', 'up', '--dir', fg], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('\n')) resolve();
      });
    });
    assert.equal(stdout, `export KUBECONFIG=${join(fg, 'kubeconfig')}\n`);
    assert.ok(existsSync(join(fg, 'cluster.json')));
    const exited = new Promise<string>((resolve) => child.on('close', (code, signal) => { resolve(`${String(code)} ${String(signal)}`); }));
    child.kill('SIGINT');
    assert.equal(await exited, '0 null');
    assert.ok(!existsSync(join(fg, 'cluster.json')));
  });

  it('rejects a bad port as a usage error', async () => {
    const bad = await run('local', 'up', '--port', 'http');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--port must be a number from 0 to 65535/);
  });
});
