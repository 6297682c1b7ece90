/**
 * Starting a cluster in the background and stopping one, for `ferry local up --detach` and `ferry local down`:
 * both go through the state file, so they work across processes and shells.
 */
import { spawn } from 'node:child_process';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FerryError } from '../util/errors.js';
import { alreadyRunning, isProcessAlive, readState, statePath, type ClusterState } from './statefile.js';

export const SERVER_LOG = 'server.log';

async function ready(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) });
    return res.ok;
  } catch {
    return false;
  }
}

/** The last `error:`/`hint:` lines of the background server's log, to explain why it did not start. */
async function failureFromLog(logPath: string): Promise<{ message: string; hint: string | undefined }> {
  const text = await readFile(logPath, 'utf8').catch(() => '');
  const lines = text.split('\n');
  const error = lines.filter((l) => l.startsWith('error: ')).pop()?.slice('error: '.length);
  const hint = lines.filter((l) => l.startsWith('hint: ')).pop()?.slice('hint: '.length);
  return { message: error ?? `the background server exited; see ${logPath}`, hint };
}

export interface DetachOptions {
  dir: string;
  port?: number | undefined;
  /** The command that runs `ferry` (e.g. `[process.execPath, 'bin/ferry.js']`). */
  ferryCommand: readonly string[];
  /** More `ferry local up` arguments for the background server (nodes, topology). */
  upArgs?: readonly string[];
  timeoutMs?: number;
}

/** Starts `ferry local up` in the background and resolves once its `/readyz` answers. */
export async function startDetached({ dir, port, ferryCommand, upArgs = [], timeoutMs = 30_000 }: DetachOptions): Promise<ClusterState & { url: string; kubeconfig: string }> {
  const root = resolve(dir);
  const existing = await readState(root);
  if (existing !== undefined && existing.pid !== 0 && isProcessAlive(existing.pid)) throw alreadyRunning(dir, existing.pid);
  const [command, ...prefix] = ferryCommand;
  if (command === undefined) throw new Error('startDetached: empty ferry command');
  await mkdir(root, { recursive: true });
  const logPath = join(root, SERVER_LOG);
  const log = await open(logPath, 'w');
  const args = [...prefix, 'local', 'up', '--dir', root, ...(port === undefined ? [] : ['--port', String(port)]), ...upArgs];
  const child = spawn(command, args, { detached: true, stdio: ['ignore', log.fd, log.fd] });
  await log.close();
  const status = { exited: false };
  child.once('exit', () => {
    status.exited = true;
  });
  child.unref();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (status.exited) {
      const { message, hint } = await failureFromLog(logPath);
      throw new FerryError('Unavailable', message, hint === undefined ? {} : { hint });
    }
    const state = await readState(root);
    if (state !== undefined && state.pid === child.pid && state.url !== undefined && state.kubeconfig !== undefined && (await ready(state.url))) {
      return { ...state, url: state.url, kubeconfig: state.kubeconfig };
    }
    await sleep(100);
  }
  if (child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
  throw new FerryError('Timeout', `the local cluster did not become ready within ${timeoutMs / 1000}s`, { hint: `see ${logPath}` });
}

/** Stops the cluster running in `dir` (SIGTERM, then SIGKILL after `timeoutMs`) and returns its pid. */
export async function stopCluster(dir: string, timeoutMs = 10_000): Promise<number> {
  const root = resolve(dir);
  const state = await readState(root);
  if (state === undefined || state.pid === 0) {
    if (state !== undefined) await rm(statePath(root), { force: true });
    throw new FerryError('NotFound', `no local cluster is running in ${dir}`, { hint: `start one with ferry local up --dir ${dir}` });
  }
  if (!isProcessAlive(state.pid)) {
    await rm(statePath(root), { force: true });
    throw new FerryError('NotFound', `no local cluster is running in ${dir} (removed the state file of pid ${state.pid}, which has exited)`, {
      hint: `start one with ferry local up --dir ${dir}`,
    });
  }
  process.kill(state.pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (isProcessAlive(state.pid) && Date.now() < deadline) await sleep(50);
  if (isProcessAlive(state.pid)) process.kill(state.pid, 'SIGKILL');
  const after = await readState(root);
  if (after?.pid === state.pid) await rm(statePath(root), { force: true });
  return state.pid;
}
