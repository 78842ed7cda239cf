// Every command's --help ends with the exit codes, the README lists the same codes, and every
// command that runs an action takes --quiet (the built command, so the help is what users see).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, expect, test } from 'vitest';
import { commands } from '../../src/cli/command-list.js';
import { exitCodes } from '../../src/cli/exit-codes.js';
import { buildCli, root } from '../fixtures/built-cli.js';

const cli = buildCli();
afterAll(() => cli.remove());

function leaves(): string[][] {
  const program = new Command('alrflow');
  for (const c of commands) c.register(program);
  const walk = (cmd: Command, words: string[]): string[][] =>
    cmd.commands.length === 0 ? [words] : cmd.commands.flatMap((sub) => walk(sub, [...words, sub.name()]));
  return walk(program, []);
}

test.each(leaves().map((words) => [words.join(' '), words]))(
  '%s --help lists every exit code and --quiet',
  (_name, words) => {
    const r = cli.run([...words, '--help']);
    expect(r.status).toBe(0);
    const tail = r.stdout.slice(r.stdout.indexOf('Exit codes:'));
    expect(tail.length).toBeLessThan(r.stdout.length);
    for (const [code] of exitCodes) expect(tail).toMatch(new RegExp(`^ +${code} `, 'm'));
    expect(r.stdout).toContain('--quiet');
  },
);

test('the README lists the same exit codes', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  for (const [code] of exitCodes) expect(readme).toMatch(new RegExp(`^\\| ${code} +\\|`, 'm'));
});
