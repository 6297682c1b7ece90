/**
 * `ferry demo`, as a newcomer and CI run it: with --exit it tells the whole story (every step named, backup and
 * restore completed, every byte verified, a summary) and exits 0 leaving no process behind; the data-mover pods,
 * watched from outside through the demo's own kubeconfig, ran only where the seed's config allows (node-1). On a
 * terminal it stays up until Ctrl-C, then stops cleanly. A size it cannot use is a usage error.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKubeClient, type KubeClient } from '../../src/kube/client.js';
import { Informer } from '../../src/kube/informer.js';
import type { Node, Pod } from '../../src/kube/models.js';
import { R } from '../../src/kube/resources.js';
import { pollUntil } from '../../src/kube/wait.js';
import { runProcess } from '../support/kubectl.js';

const FERRY = fileURLToPath(new URL('../../bin/ferry.js', import.meta.url));
/** The seed's sample on the seed's nodes: Standard_B4ms (node-1, 2, 4) ∩ node-1..3 ∖ critical (node-2). */
const ELIGIBLE = ['node-1'];
const STEP_TITLES = [
  /\[1\/7\] Start a local cluster with five nodes/,
  /\[2\/7\] Write the seed's ConfigMap velero\/node-agent-config and install Ferry/,
  /\[3\/7\] Create the workload/,
  /\[4\/7\] Back up the PVC with data movement/,
  /\[5\/7\] Delete the workload/,
  /\[6\/7\] Restore the PVC .* verify every byte/,
  /\[7\/7\] Summary/,
];

/** The environment of a newcomer's shell: no CI, no KUBECONFIG of the test's own. */
function userEnv(): NodeJS.ProcessEnv {
  const { CI: _ci, KUBECONFIG: _kc, ...env } = process.env;
  return env;
}

/** Processes whose command line or environment names `dir`: what the demo's cluster would have left running. */
async function processesUsing(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of (await readdir('/proc')).filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)) {
    const [cmdline, environ] = await Promise.all(['cmdline', 'environ'].map((f) => readFile(`/proc/${pid}/${f}`, 'utf8').catch(() => '')));
    if (`${cmdline ?? ''}${environ ?? ''}`.includes(dir)) found.push(`${pid}: ${(cmdline ?? '').replaceAll('\0', ' ')}`);
  }
  return found;
}

/** Once the demo's kubeconfig exists, records the node of every data-mover pod (backup and restore) it binds. */
function watchMoverPods(kubeconfig: string): { nodes: Map<string, string>; stop: () => Promise<void> } {
  const nodes = new Map<string, string>();
  let client: KubeClient | undefined;
  let informer: Informer<Pod> | undefined;
  const started = pollUntil(async () => (existsSync(kubeconfig) ? Promise.resolve(true) : undefined), { timeoutMs: 60_000, intervalMs: 100, what: 'the demo\'s kubeconfig' }).then(() => {
    client = createKubeClient({ kubeconfig });
    informer = new Informer<Pod>(client, {
      resource: R.pods,
      namespace: 'velero',
      onEvent: (type, pod) => {
        const labels = pod.metadata?.labels ?? {};
        if (type !== 'deleted' && pod.spec?.nodeName !== undefined && ('velero.io/data-upload' in labels || 'velero.io/data-download' in labels)) nodes.set(pod.metadata?.name ?? '', pod.spec.nodeName);
      },
    });
    informer.start();
  });
  return {
    nodes,
    stop: async () => {
      await started;
      await informer?.stop();
      client?.close();
    },
  };
}

describe('ferry demo (e2e)', { timeout: 300_000 }, () => {
  let tmp: string;
  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'ferry-demo-e2e-'));
  });
  after(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('--exit tells the whole story, data-mover pods run only on eligible nodes, and nothing is left running; -v shows the cluster\'s events', async () => {
    const dir = join(tmp, 'exit');
    const movers = watchMoverPods(join(dir, 'kubeconfig'));
    const result = await runProcess(process.execPath, [FERRY, 'demo', '--exit', '-v', '--size', '16MiB', '--dir', dir], { env: userEnv(), timeoutMs: 240_000 });
    await movers.stop();
    assert.equal(result.code, 0, `stdout: ${result.stdout}\nstderr: ${result.stderr}`);
    const { stdout } = result;
    assert.match(stdout, /will stop the cluster and exit when the story ends \(--exit\)/);
    for (const title of STEP_TITLES) assert.match(stdout, title);
    assert.equal(stdout.match(/ {4}done in \d+\.\d s/g)?.length, 7, 'every step says how long it took');
    assert.match(stdout, /node-1 +yes\n/);
    assert.match(stdout, /node-2 +no +has label xxx\/critial-workload \(DoesNotExist\)/, 'the explain output says why the critical node is excluded');
    assert.match(stdout, /node-3 +no +beta\.kubernetes\.io\/instance-type: Standard_D2s_v3 not in \[Standard_B4ms\]/);
    assert.match(stdout, /verified: all \d+ entries \(\d+ files, 16777216 bytes\) match the checksum list/);
    assert.match(stdout, /^ {4}backup +node-1 +node-1 +16\.8 MB .* \d+\.\d\dx +\d+\.\d\dx$/m);
    assert.match(stdout, /^ {4}restore +node-1 +node-1 +16\.8 MB /m);
    assert.match(stdout, /The demo completed every step in/);
    assert.match(result.stderr, /"component":"default-scheduler","event":"Scheduled".*"msg":"Successfully assigned velero\/demo-backup-\w+ to node-1"/, '-v: the scheduler placing the data-mover pod');
    assert.match(result.stderr, /"component":"kubelet","node":"node-1","event":"Started".*"object":"Pod\/velero\/demo-restore-\w+"/, '-v: the kubelet starting the restore pod');

    const used = [...movers.nodes.entries()];
    assert.equal(used.filter(([pod]) => pod.startsWith('demo-backup-')).length, 1, `one backup data-mover pod: ${JSON.stringify(used)}`);
    assert.equal(used.filter(([pod]) => pod.startsWith('demo-restore-')).length, 1, `one restore data-mover pod: ${JSON.stringify(used)}`);
    for (const [pod, node] of used) assert.ok(ELIGIBLE.includes(node), `${pod} ran on ${node}`);
    assert.deepEqual(await processesUsing(dir), []);
    assert.equal(existsSync(join(dir, 'cluster.json')), false, 'the cluster released its directory');
  });

  it('on a terminal it stays up with KUBECONFIG printed, and Ctrl-C stops everything', { skip: spawnSync('script', ['--version']).status === 0 ? undefined : 'no `script` to give the demo a terminal' }, async () => {
    const dir = join(tmp, 'tty');
    // `script` runs the demo on a pseudo-terminal; a ^C written to it is the terminal's SIGINT to the demo. `exec`
    // makes the demo the terminal's only process: dash (`/bin/sh` when SHELL is unset, as in CI) would otherwise get
    // the SIGINT too and exit 130 after the demo exits 0, and the test would measure the shell.
    const child = spawn('script', ['-qfec', `exec ${process.execPath} ${FERRY} demo --size 2MiB --dir ${dir}`, '/dev/null'], { env: userEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      await pollUntil(() => Promise.resolve(output.includes('Press Ctrl-C') ? true : undefined), { timeoutMs: 180_000, intervalMs: 200, what: 'the demo to stay up', lastState: () => output.slice(-2000) });
      assert.match(output, /the cluster stays up when the story ends/);
      const exported = /export KUBECONFIG=(\S+)/.exec(output)?.[1];
      assert.equal(exported, join(dir, 'kubeconfig'));
      const client = createKubeClient({ kubeconfig: exported });
      try {
        const nodes = await client.list<Node>(R.nodes, undefined);
        assert.deepEqual(nodes.items.map((n) => n.metadata?.name).sort(), ['node-1', 'node-2', 'node-3', 'node-4', 'node-5'], 'the cluster is up after the story');
      } finally {
        client.close();
      }
      assert.ok((await processesUsing(dir)).length > 5, 'the check sees the running cluster\'s processes (node-agents, object store)');
      child.stdin.write('\x03');
      assert.equal(await exited, 0, output.slice(-2000));
      assert.match(output, /SIGINT: stopping/);
      assert.match(output, /stopped: no process of the demo is left running/);
      assert.deepEqual(await processesUsing(dir), []);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('a failing step is named with what to do, exits 1 and leaves nothing running', async () => {
    const dir = join(tmp, 'port-taken');
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = String((taken.address() as AddressInfo).port);
      const result = await runProcess(process.execPath, [FERRY, 'demo', '--exit', '--port', port, '--dir', dir], { env: userEnv(), timeoutMs: 60_000 });
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stdout, /\[1\/7\] Start a local cluster/);
      assert.doesNotMatch(result.stdout, /\[2\/7\]/, 'the story stops at the failed step');
      assert.match(result.stderr, new RegExp(`^error: step 1 of 7 \\(Start a local cluster with five nodes shaped like the seed's\\) failed after \\d+\\.\\d s: port ${port} is in use\nhint: pick another with --port`, 'm'));
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
      assert.deepEqual(await processesUsing(dir), []);
    } finally {
      taken.close();
    }
  });

  it('closing its output (ferry demo | head) stops the story: the cluster is stopped, exit 1, nothing left running', async () => {
    const dir = join(tmp, 'closed-output');
    const child = spawn(process.execPath, [FERRY, 'demo', '--exit', '--size', '16MiB', '--dir', dir], { env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      let stdout = '';
      for await (const chunk of child.stdout) {
        stdout += (chunk as Buffer).toString();
        if (stdout.includes('[1/7]')) break;
      }
      child.stdout.destroy();
      assert.equal(await exited, 1, stderr);
      assert.match(stderr, /SIGPIPE \(its output was closed\): stopping…[\s\S]*stopped: no process of the demo is left running\nerror: interrupted by SIGPIPE/);
      assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
      assert.deepEqual(await processesUsing(dir), []);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('a size it cannot use is a usage error (exit 2) before anything starts', async () => {
    const dir = join(tmp, 'bad-size');
    const result = await runProcess(process.execPath, [FERRY, 'demo', '--exit', '--size', 'lots', '--dir', dir], { env: userEnv(), timeoutMs: 30_000 });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^error: --size "lots" is not a size\nhint: e\.g\. --size 256MiB/);
    assert.equal(existsSync(dir), false);
  });
});
