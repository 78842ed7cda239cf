// Exit codes as README documents them, over every command and subcommand: usage errors of the
// option parser (unknown option, missing value, missing required option or argument) exit 2 with
// a message and no stack trace; counts are strict decimal integers <= 2^31; an infeasible mapping
// exits 3. Runs the built command (test/fixtures/built-cli) so the many spawns stay fast.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, expect, test } from 'vitest';
import { commands } from '../../src/cli/command-list.js';
import { buildCli, root } from '../fixtures/built-cli.js';

const cli = buildCli();
afterAll(() => cli.remove());

/** Every leaf command as its words (`['hw', 'check']`) with its options. */
function leaves(): { words: string[]; command: Command }[] {
  const program = new Command('alrflow');
  for (const c of commands) c.register(program);
  const walk = (cmd: Command, words: string[]): { words: string[]; command: Command }[] =>
    cmd.commands.length === 0
      ? [{ words, command: cmd }]
      : cmd.commands.flatMap((sub) => walk(sub, [...words, sub.name()]));
  return walk(program, []);
}

const noTrace = (stderr: string) => expect(stderr).not.toMatch(/\n\s+at /);

test('every file in src/cli/commands is registered in command-list.ts', () => {
  const files = readdirSync(join(root, 'src/cli/commands'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
  const program = new Command('alrflow');
  for (const c of commands) c.register(program);
  expect(commands.length).toBe(files.length);
  for (const name of files) expect(program.commands.map((c) => c.name())).toContain(name);
});

test.each(leaves().map((l) => [l.words.join(' '), l] as const))(
  '%s: unknown option, missing value, missing required option -> exit 2',
  (_name, { words, command }) => {
    const unknown = cli.run([...words, '--no-such-option']);
    expect(unknown.status, unknown.stderr).toBe(2);
    expect(unknown.stderr).toMatch(/unknown option '--no-such-option'|required option/);
    noTrace(unknown.stderr);
    const valued =
      command.options.find((o) => o.required && !o.mandatory && o.long !== undefined) ??
      command.options.find((o) => o.required && o.long !== undefined);
    if (valued) {
      const missingValue = cli.run([...words, valued.long!]);
      expect(missingValue.status, missingValue.stderr).toBe(2);
      expect(missingValue.stderr).toMatch(/argument missing|required option/);
    }
    if (command.options.some((o) => o.mandatory) || command.registeredArguments.some((a) => a.required)) {
      const missing = cli.run(words);
      expect(missing.status, missing.stderr).toBe(2);
      expect(missing.stderr).toMatch(/required option|missing required argument/);
      noTrace(missing.stderr);
    }
  },
);

test('unknown command and a bare `alrflow` exit 2; --help and --version exit 0', () => {
  expect(cli.run(['no-such-command']).status).toBe(2);
  expect(cli.run([]).status).toBe(2);
  expect(cli.run(['--help']).status).toBe(0);
  expect(cli.run(['--version']).stdout.trim()).toBe('0.1.0');
  expect(cli.run(['hw', '--help']).status).toBe(0);
});

test.each(['0x10', '1e1', '16.0', '+16', ' 16', '-1', '0', '2147483649', '9007199254740993'])(
  '--copies %j is refused with exit 2 (decimal digits only, <= 2^31)',
  (value) => {
    const r = cli.run(['simulate', '--model', 'mlp', '--copies', value, '--iterations', '1']);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain(
      `--copies: found "${value}", allowed: a positive integer in decimal digits, at most 2^31`,
    );
    noTrace(r.stderr);
  },
);

test('2^31 itself is a legal count; an infeasible mapping exits 3', () => {
  const legal = cli.run([
    'compile',
    '--model',
    'mlp',
    '--method',
    'bp',
    '--schedule',
    'bp-sequential',
    '--hw',
    'edge-npu',
    '--batch',
    '2147483648',
    '--json',
  ]);
  expect(legal.status).not.toBe(2);
  const infeasible = cli.run([
    'compile',
    '--model',
    'resnet9',
    '--method',
    'lr',
    '--copies',
    '128',
    '--batch',
    '32',
    '--schedule',
    'layer-pipelined',
    '--hw',
    'edge-npu',
  ]);
  expect(infeasible.status).toBe(3);
  noTrace(infeasible.stderr);
});
