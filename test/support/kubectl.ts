/**
 * The kubectl binary for end-to-end tests: found on PATH, or installed from Debian's `kubernetes-client` package
 * when missing (tests skip with the reason only if that fails too). Runs it asynchronously, because the API server
 * under test usually lives in the test's own process, with a private cache dir and HOME.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface KubectlResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

export interface Kubectl {
  readonly path: string;
  run(args: readonly string[], options?: RunOptions): Promise<KubectlResult>;
  /** Starts kubectl and leaves it running (for `get -w`); the caller kills it. */
  spawn(args: readonly string[]): ChildProcess;
}

function works(path: string): boolean {
  const r = spawnSync(path, ['version', '--client', '-o', 'json'], { encoding: 'utf8', timeout: 20_000 });
  return r.status === 0;
}

let located: { path: string } | { skip: string } | undefined;

/** The kubectl to use, or why there is none. */
export function findKubectl(): { path: string } | { skip: string } {
  if (located !== undefined) return located;
  if (works('kubectl')) {
    located = { path: 'kubectl' };
    return located;
  }
  const update = spawnSync('apt-get', ['update'], { encoding: 'utf8', timeout: 300_000 });
  const install = spawnSync('apt-get', ['install', '-y', 'kubernetes-client'], { encoding: 'utf8', timeout: 300_000 });
  located = works('kubectl')
    ? { path: 'kubectl' }
    : { skip: `kubectl is not installed and apt-get could not install kubernetes-client: ${(install.stderr || update.stderr || '').trim().slice(0, 300)}` };
  return located;
}

/** Runs a command to its end (SIGKILL after `timeoutMs`) and collects its output; `input` goes to its stdin. */
export function runProcess(
  cmd: string,
  args: readonly string[],
  { env, input, timeoutMs }: { env: NodeJS.ProcessEnv; input?: string; timeoutMs: number },
): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

/** A kubectl bound to one kubeconfig, with its own discovery cache and HOME inside the cluster's directory, so they go when the cluster's files do. */
export function kubectlFor(path: string, kubeconfig: string): Kubectl {
  const home = mkdtempSync(join(dirname(kubeconfig), 'kubectl-home-'));
  const base = ['--kubeconfig', kubeconfig, '--cache-dir', join(home, 'cache')];
  const env = { ...process.env, HOME: home, KUBECONFIG: kubeconfig };
  return {
    path,
    spawn: (args) => spawn(path, [...base, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] }),
    run: (args, { input, env: extra = {}, timeoutMs = 30_000 } = {}) =>
      runProcess(path, [...base, ...args], { env: { ...env, ...extra }, ...(input === undefined ? {} : { input }), timeoutMs }),
  };
}
