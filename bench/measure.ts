/**
 * Runs a command and measures its wall time, peak resident memory (GNU time's maximum RSS) and CPU time (user +
 * system, all threads): on a shared machine the CPU time says how much work a run took when its wall time is noise.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Measured {
  seconds: number;
  peakRssMiB: number;
  cpuSeconds: number;
  stdout: string;
}

const GNU_TIME = '/usr/bin/time';

export async function measure(command: string, args: string[], env: Record<string, string> = {}): Promise<Measured> {
  const report = join(tmpdir(), `ferry-bench-time-${process.pid}.txt`);
  const useTime = existsSync(GNU_TIME);
  const [file, argv] = useTime ? [GNU_TIME, ['-f', '%M %U %S', '-o', report, command, ...args]] : [command, args];
  const started = performance.now();
  const child = spawn(file, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`);
  let peakRssMiB = NaN;
  let cpuSeconds = NaN;
  if (useTime) {
    const [rssKiB, user, system] = (readFileSync(report, 'utf8').trim().split('\n').at(-1) ?? '').split(' ').map(Number);
    peakRssMiB = (rssKiB ?? NaN) / 1024;
    cpuSeconds = (user ?? NaN) + (system ?? NaN);
    rmSync(report, { force: true });
  }
  return { seconds, peakRssMiB, cpuSeconds, stdout };
}
