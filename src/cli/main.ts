// The `ferry` executable's entry point.
import { main } from './program.js';

// `ferry repo ls … | head` closes stdout early; that ends the command quietly instead of with a stack trace. A
// command that must stop its work first (the demo, whose story is then unfinished) listens for SIGPIPE, which Node
// otherwise ignores, and is told instead.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  if (process.listenerCount('SIGPIPE') > 0) process.emit('SIGPIPE', 'SIGPIPE');
  else process.exit(process.exitCode ?? 0);
});

process.exitCode = await main(process.argv.slice(2));
