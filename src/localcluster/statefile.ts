/**
 * The state file `<dir>/cluster.json` marks a directory as in use by one running local cluster: its pid, URL and
 * kubeconfig. Creating it is the lock (exclusive create); a file left by a process that no longer runs is stale and
 * is replaced.
 */
import { open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FerryError } from '../util/errors.js';

const STATE_FILE = 'cluster.json';

export interface ClusterState {
  pid: number;
  /** Absent while the server is still starting. */
  url?: string;
  port?: number;
  kubeconfig?: string;
  startedAt: string;
}

export function statePath(dir: string): string {
  return join(dir, STATE_FILE);
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function readState(dir: string): Promise<ClusterState | undefined> {
  let text: string;
  try {
    text = await readFile(statePath(dir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const parsed = JSON.parse(text) as Partial<ClusterState>;
    if (typeof parsed.pid === 'number') return { ...parsed, pid: parsed.pid, startedAt: parsed.startedAt ?? '' };
  } catch {
    // A torn or foreign file: treat it like a stale one.
  }
  return { pid: 0, startedAt: '' };
}

export function alreadyRunning(dir: string, pid: number): FerryError {
  return new FerryError('Conflict', `a local cluster is already running in ${dir} (pid ${pid})`, {
    hint: `stop it with ferry local down --dir ${dir}`,
  });
}

/** Claims `dir` for this process, replacing a stale state file; fails if a live cluster holds it. */
export async function claimStateFile(dir: string, shownAs = dir): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(statePath(dir), 'wx', 0o644);
      try {
        await handle.writeFile(JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() }));
      } finally {
        await handle.close();
      }
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const existing = await readState(dir);
    if (existing !== undefined && existing.pid !== 0 && existing.pid !== process.pid && isProcessAlive(existing.pid)) {
      throw alreadyRunning(shownAs, existing.pid);
    }
    await rm(statePath(dir), { force: true });
  }
  throw new FerryError('Conflict', `could not claim ${statePath(dir)}`, { hint: 'another ferry local up is starting there; try again' });
}

export async function writeState(dir: string, state: ClusterState): Promise<void> {
  const tmp = `${statePath(dir)}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(state, null, 2));
  await rename(tmp, statePath(dir));
}

/** Removes the state file if it still belongs to `pid`. */
export async function releaseStateFile(dir: string, pid = process.pid): Promise<void> {
  const state = await readState(dir);
  if (state?.pid === pid) await rm(statePath(dir), { force: true });
}
