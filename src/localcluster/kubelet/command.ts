/**
 * What a container of Ferry's image executes on this machine. The image's entrypoint is `ferry`, so no command (or a
 * command naming `ferry` by any path) runs this checkout's `bin/ferry.js` under the current Node; `node` runs the
 * current Node and `sh`/`bash` the machine's shell, so tests and debugging can look inside a "container". Anything
 * else is not in the image: the container fails to start, as it would on a real node.
 */
import { basename } from 'node:path';

export interface Launch {
  file: string;
  args: string[];
}

const SHELLS: Readonly<Record<string, string>> = { sh: '/bin/sh', bash: '/bin/bash' };

/** `bin/ferry.js` of this checkout (also right for the compiled layout, `dist/localcluster/kubelet/`). */
export const FERRY_BIN = new URL('../../../bin/ferry.js', import.meta.url).pathname;

/**
 * Kubernetes' `$(VAR)` expansion of command, args and env values: a defined variable is replaced, an undefined
 * one is left as written, and `$$` is a literal `$`.
 */
export function expandVars(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i] ?? '';
    const next = input[i + 1];
    if (c !== '$' || next === undefined) {
      out += c;
    } else if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const end = input.indexOf(')', i + 2);
      if (end === -1) return out + input.slice(i);
      const name = input.slice(i + 2, end);
      out += lookup(name) ?? `$(${name})`;
      i = end;
    } else {
      out += c;
    }
  }
  return out;
}

/** The local program for a container's command and args (already expanded), or why the image cannot run it. */
export function resolveLaunch(command: readonly string[] | undefined, args: readonly string[] | undefined): Launch | { error: string } {
  const [exe, ...rest] = command ?? [];
  const tail = [...rest, ...(args ?? [])];
  if (exe === undefined) return { file: process.execPath, args: [FERRY_BIN, ...tail] };
  const name = basename(exe);
  if (name === 'ferry') return { file: process.execPath, args: [FERRY_BIN, ...tail] };
  if (name === 'node') return { file: process.execPath, args: tail };
  const shell = SHELLS[name];
  if (shell !== undefined) return { file: shell, args: tail };
  return {
    error: `exec: "${exe}": executable file not found in $PATH (the local kubelet runs ferry, node and sh from Ferry's image)`,
  };
}
