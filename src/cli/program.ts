/**
 * The `ferry` command line as a function: builds the command tree from the command modules and turns every failure into a
 * readable message and an exit code (0 ok, 1 failed, 2 usage error).
 */
import { Command, CommanderError } from 'commander';
import { errorMessage, isFerryError } from '../util/errors.js';
import { commands } from './commands.js';

export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export function buildProgram(): Command {
  const program = new Command('ferry')
    .description(
      'Ferry moves Kubernetes volume data to a backup repository and back, on the nodes the node-agent ' +
        'ConfigMap allows (loadAffinity). It is a Velero-compatible data mover (--data-mover ferry).',
    )
    .version(process.env.npm_package_version ?? '0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

function report(err: unknown): number {
  if (err instanceof CommanderError) {
    // commander has already printed its message (or the help text).
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
    return EXIT_USAGE;
  }
  if (isFerryError(err)) {
    process.stderr.write(`error: ${err.message}\n`);
    if (err.hint) process.stderr.write(`hint: ${err.hint}\n`);
    if (process.env.FERRY_DEBUG && err.cause) process.stderr.write(`cause: ${errorMessage(err.cause)}\n`);
    return err.code === 'Usage' ? EXIT_USAGE : EXIT_FAILED;
  }
  process.stderr.write(`error: ${errorMessage(err)}\n`);
  if (process.env.FERRY_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  return EXIT_FAILED;
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    const program = buildProgram();
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    return report(err);
  }
}

