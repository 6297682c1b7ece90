/**
 * One container process: started in its own process group with stdout and stderr appended to the container's log
 * file, stopped the way a container runtime stops a container (SIGTERM to the group, SIGKILL after the grace
 * period), and, like a container's cgroup, the whole group is killed once the main process exits.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { constants } from 'node:os';
import { dirname } from 'node:path';
import type { Launch } from './command.js';
import { guardGroup, releaseGroup } from '../reaper.js';

export interface ProcessExit {
  /** The exit status; 128 + the signal number when a signal ended it, as container runtimes report. */
  exitCode: number;
  signal: NodeJS.Signals | undefined;
  finishedAtMs: number;
}

export interface ContainerProcess {
  readonly pid: number;
  readonly startedAtMs: number;
  readonly exited: Promise<ProcessExit>;
  /** SIGTERM, then SIGKILL after `graceMs` (at once for 0); resolves when the process is gone. */
  stop(graceMs: number): Promise<ProcessExit>;
}

export interface StartOptions {
  cwd: string;
  env: Record<string, string>;
  logPath: string;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** Starts the process, or says why it could not be started (missing executable or directory). */
export async function startProcess(launch: Launch, { cwd, env, logPath }: StartOptions): Promise<ContainerProcess | { error: string }> {
  await mkdir(dirname(logPath), { recursive: true });
  const fd = openSync(logPath, 'a');
  let child;
  try {
    child = spawn(launch.file, launch.args, { cwd, env, detached: true, stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  const spawnError = await new Promise<Error | undefined>((resolve) => {
    child.once('spawn', () => {
      resolve(undefined);
    });
    child.once('error', resolve);
  });
  const pid = child.pid;
  if (spawnError !== undefined || pid === undefined) return { error: spawnError?.message ?? 'no process id' };
  guardGroup(pid);
  const startedAtMs = Date.now();
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (code, signal) => {
      killGroup(pid, 'SIGKILL');
      releaseGroup(pid);
      resolve({ exitCode: code ?? 128 + (signal === null ? 0 : constants.signals[signal]), signal: signal ?? undefined, finishedAtMs: Date.now() });
    });
  });
  return {
    pid,
    startedAtMs,
    exited,
    async stop(graceMs) {
      killGroup(pid, graceMs > 0 ? 'SIGTERM' : 'SIGKILL');
      const timer = graceMs > 0 ? setTimeout(() => { killGroup(pid, 'SIGKILL'); }, graceMs) : undefined;
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}
