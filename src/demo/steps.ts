/**
 * The demo's steps as people see them: a numbered heading (`[3/7] Create the workload`), the step's output, and
 * `done in 2.1s`; a failure names the step and says what to do, never a stack trace.
 */
import { errorMessage, FerryError, isFerryError } from '../util/errors.js';
import { formatSeconds } from '../cli/repo-output.js';

export interface StepRunner {
  /** Runs one step; a failure becomes a FerryError naming the step. */
  run<T>(title: string, body: () => Promise<T>): Promise<T>;
}

export interface StepFailure {
  step: number;
  title: string;
}

/** `signal` (Ctrl-C) is checked between steps too: not every wait inside a step can be cut short. */
export function stepRunner(total: number, out: (line: string) => void, signal: AbortSignal, hintFor: (failure: StepFailure) => string): StepRunner {
  let step = 0;
  return {
    async run(title, body) {
      step++;
      const current = step;
      out(`\n[${current}/${total}] ${title}`);
      const started = Date.now();
      try {
        signal.throwIfAborted();
        const result = await body();
        signal.throwIfAborted();
        out(`    done in ${formatSeconds(Date.now() - started)}`);
        return result;
      } catch (err) {
        // The error's own hint is the specific one; the step's is a general next move.
        const hint = (isFerryError(err) ? err.hint : undefined) ?? hintFor({ step: current, title });
        throw new FerryError(isFerryError(err) ? err.code : 'Internal', `step ${current} of ${total} (${title}) failed after ${formatSeconds(Date.now() - started)}: ${errorMessage(err)}`, { hint, cause: err });
      }
    },
  };
}

/** `text` indented by `depth` spaces under a step's heading; blank lines stay empty. */
export function indent(text: string, depth = 4): string {
  return text.trimEnd().split('\n').map((line) => (line.trim() === '' ? '' : `${' '.repeat(depth)}${line}`)).join('\n');
}
