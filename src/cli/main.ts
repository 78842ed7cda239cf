// The alrflow command line. Every file in ./commands exports `register(program)`; this file only
// wires them together. Command files import only commander types and ./action at the top and load
// their implementation lazily inside the action, so `alrflow --help` loads no simulator, mathjs or
// kernel code (the build in build.mjs keeps each lazy import a separate chunk). Nothing imports src/cli.
import { Command } from 'commander';
import { commands } from './command-list.js';
import { configureProgram } from './usage-errors.js';

// A reader that closed our stdout early (`alrflow backends | head -2`) ends the command quietly, as
// for any Unix tool; without this the late write's EPIPE surfaced as an uncaught error with a trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const program = new Command('alrflow')
  .description('Forward-only neural-network training with the (approximated) likelihood-ratio method')
  .version('0.1.0');

for (const command of commands) command.register(program);
configureProgram(program);
await program.parseAsync(process.argv);
