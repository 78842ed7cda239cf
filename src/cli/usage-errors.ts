// Conventions applied to every command and subcommand after registration (commander copies settings
// only to commands added after they are set): usage errors of the option parser (unknown option or
// command, missing value or required option, too many arguments) exit 2 like every other bad input
// (commander's default is 1, which the README reserves for internal errors); every command that runs
// an action takes --quiet; every --help ends with the exit codes.
import type { Command } from 'commander';
import { exitCodesHelp } from './exit-codes.js';
import { setQuiet } from './output.js';

function configure(command: Command): void {
  command.showHelpAfterError('(run with --help for usage)');
  command.exitOverride((err) => {
    process.exit(err.exitCode === 0 ? 0 : 2);
  });
  command.addHelpText('after', exitCodesHelp());
  if (command.commands.length === 0 && !command.options.some((o) => o.long === '--quiet')) {
    command.option('--quiet', 'no progress, notices or warnings on stderr (errors still print)');
  }
  for (const sub of command.commands) configure(sub);
}

export function configureProgram(program: Command): void {
  configure(program);
  program.hook('preAction', (_program, actionCommand) => setQuiet(Boolean(actionCommand.opts().quiet)));
}
