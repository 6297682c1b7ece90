/** Runs a command and measures its wall time and peak resident memory (GNU time's maximum RSS). */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Measured {
  seconds: number;
  peakRssMiB: number;
  stdout: string;
}

const GNU_TIME = '/usr/bin/time';

export async function measure(command: string, args: string[], env: Record<string, string> = {}): Promise<Measured> {
  const report = join(tmpdir(), `ferry-bench-time-${process.pid}.txt`);
  const useTime = existsSync(GNU_TIME);
  const [file, argv] = useTime ? [GNU_TIME, ['-f', '%M', '-o', report, command, ...args]] : [command, args];
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
  if (useTime) {
    peakRssMiB = Number(readFileSync(report, 'utf8').trim().split('\n').at(-1)) / 1024;
    rmSync(report, { force: true });
  }
  return { seconds, peakRssMiB, stdout };
}
