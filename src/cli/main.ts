// The alrflow command line. Every file in ./commands exports `register(program)`; this file only
// wires them together. Commands import their heavy implementation lazily inside their action, so
// `alrflow --help` stays fast. Nothing imports src/cli.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command } from 'commander';

// A reader that closed our stdout early (`alrflow backends | head -2`) ends the command quietly, as
// for any Unix tool; without this the late write's EPIPE surfaced as an uncaught error with a trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const program = new Command('alrflow')
  .description('Forward-only neural-network training with the (approximated) likelihood-ratio method')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)');

const commandsDir = join(dirname(fileURLToPath(import.meta.url)), 'commands');
const files = readdirSync(commandsDir).filter((f) => f.endsWith('.ts')).sort();
for (const file of files) {
  const module = (await import(pathToFileURL(join(commandsDir, file)).href)) as { register: (p: Command) => void };
  module.register(program);
}

program.exitOverride((err) => {
  process.exit(err.exitCode === 0 ? 0 : 2);
});
await program.parseAsync(process.argv);
