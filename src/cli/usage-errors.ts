// Usage errors of the option parser (unknown option or command, missing value or required option,
// too many arguments) exit 2 like every other bad input; commander's default is 1, which the
// README reserves for internal errors. Applied to every command and subcommand after registration,
// since commander copies exitOverride only to commands added after it is set.
import type { Command } from 'commander';

function configure(command: Command): void {
  command.showHelpAfterError('(run with --help for usage)');
  command.exitOverride((err) => {
    process.exit(err.exitCode === 0 ? 0 : 2);
  });
  for (const sub of command.commands) configure(sub);
}

export function configureProgram(program: Command): void {
  configure(program);
}
