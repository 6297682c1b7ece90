/**
 * The orphan guard. Every container process and the object store's server run in their own process group (so a
 * terminal's Ctrl-C reaches only `ferry`, which stops them in order); a tiny watchdog process, started once per Node
 * process that runs them, is told each group over a pipe. The pipe closes when this process ends in
 * any way (even SIGKILL), and the watchdog then kills every group still registered, so no container outlives
 * `ferry local up`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Socket } from 'node:net';

// Plain JS for `node -e`: no loader, starts in tens of milliseconds. "+pid" registers a group, "-pid" forgets it.
const WATCHDOG = `
const groups = new Set();
let pending = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  pending += chunk;
  const lines = pending.split('\\n');
  pending = lines.pop();
  for (const line of lines) {
    const pid = Number(line.slice(1));
    if (line[0] === '+') groups.add(pid); else groups.delete(pid);
  }
});
process.stdin.on('end', () => {
  for (const pid of groups) { try { process.kill(-pid, 'SIGKILL'); } catch {} }
  process.exit(0);
});
`;

let watchdog: ChildProcess | undefined;

function send(line: string): void {
  if (watchdog === undefined) {
    watchdog = spawn(process.execPath, ['-e', WATCHDOG], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
    watchdog.unref();
    if (watchdog.stdin instanceof Socket) watchdog.stdin.unref();
    // A watchdog that died must not break process management; the next registration starts a new one.
    watchdog.on('exit', () => {
      watchdog = undefined;
    });
    watchdog.stdin?.on('error', () => undefined);
  }
  watchdog.stdin?.write(`${line}\n`);
}

/** Registers the process group led by `pid` (a child spawned with `detached: true`). */
export function guardGroup(pid: number): void {
  send(`+${pid}`);
}

export function releaseGroup(pid: number): void {
  if (watchdog !== undefined) send(`-${pid}`);
}
