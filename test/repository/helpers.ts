/** Running `bin/ferry.js repo …` against a file:// repository in a temporary directory. */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const FERRY = fileURLToPath(new URL('../../bin/ferry.js', import.meta.url));
export const PASSWORD = 'test password';

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export class Workspace {
  readonly dir = mkdtempSync(join(tmpdir(), 'ferry-repo-e2e-'));
  readonly repoDir = join(this.dir, 'repo');
  readonly url = pathToFileURL(this.repoDir).href;

  /** A repository with cheap key derivation, so every later command opens it fast. */
  init(): Run {
    return this.repo(['init', '--scrypt-n', '1024']);
  }

  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  /** Runs `ferry repo --repo URL …args` with the password in the environment (override with `env`). */
  repo(args: string[], env: Record<string, string | undefined> = {}): Run {
    const r = spawnSync(process.execPath, [FERRY, 'repo', '--repo', this.url, ...args], {
      encoding: 'utf8',
      env: { ...process.env, FERRY_REPO_PASSWORD: PASSWORD, ...env },
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  spawnRepo(args: string[]): ChildProcess {
    return spawn(process.execPath, [FERRY, 'repo', '--repo', this.url, ...args], {
      env: { ...process.env, FERRY_REPO_PASSWORD: PASSWORD },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function exited(child: ChildProcess): Promise<{ status: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (status) => { resolve({ status, stdout, stderr }); }));
}
