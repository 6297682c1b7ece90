// The `ferry` executable's entry point.
import { main } from './program.js';

// `ferry repo ls … | head` closes stdout early; that ends the command quietly instead of with a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

process.exitCode = await main(process.argv.slice(2));
