/**
 * Ctrl-C while `--wait` follows a backup or restore: it stops the following only, since the data movement goes on
 * in the cluster, and the command exits with the shell's code for an interrupted command.
 */

/** 128 + SIGINT. */
export const EXIT_INTERRUPTED = 130;

export interface Interrupt {
  /** Aborted by the first SIGINT. */
  signal: AbortSignal;
  /** Puts the default Ctrl-C back. */
  stop(): void;
}

export function listenForInterrupt(): Interrupt {
  const controller = new AbortController();
  const onInterrupt = (): void => {
    controller.abort();
  };
  process.once('SIGINT', onInterrupt);
  return {
    signal: controller.signal,
    stop: () => {
      process.off('SIGINT', onInterrupt);
    },
  };
}

/** Says what keeps running and how to follow it, and sets the exit code. */
export function reportInterrupted(what: string, followWith: string, note = ''): void {
  process.stderr.write(`\ninterrupted: ${what} keeps running in the cluster; follow it with \`${followWith}\`${note}\n`);
  process.exitCode = EXIT_INTERRUPTED;
}
