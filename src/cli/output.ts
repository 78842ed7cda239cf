// The one output convention of every command: `--json` prints the command's JSON on stdout and
// nothing else goes there (tables and "wrote FILE" notices move to stderr); `--json-file FILE`
// writes it to a file; `-` names stdout wherever an output file is accepted. Every output path is
// checked (not there unless --force, a file where a file is meant, its folders writable or creatable,
// not named twice, at most one stdout) before the command does any work, so a long run never ends on
// a refused file; files are written atomically (src/output-file.ts), missing folders made as mkdir -p.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ConfigError } from '../errors.js';
import { outputPathProblem, writeFileAtomic, type OutputKind } from '../output-file.js';

export const stdoutPath = '-';

export interface OutputRequest {
  /** The option that named the path, for messages: '--json-file', '--report', ... */
  option: string;
  path: string | undefined;
  /** A file (the default) or a folder the command writes its files into. */
  kind?: OutputKind;
}

export interface CheckOptions {
  force?: boolean;
  /** `--json` prints on stdout, so no file option may name `-` as well. */
  jsonOnStdout?: boolean;
}

/** Every problem with the requested outputs, all at once; throws a ConfigError (exit 2) if any. */
export function checkOutputs(requests: readonly OutputRequest[], options: CheckOptions = {}): void {
  const given = requests.filter((r): r is OutputRequest & { path: string } => r.path !== undefined);
  const problems: string[] = [];
  const onStdout = [
    ...(options.jsonOnStdout ? ['--json'] : []),
    ...given.filter((r) => r.path === stdoutPath).map((r) => r.option),
  ];
  if (onStdout.length > 1)
    problems.push(`${onStdout.join(' and ')}: all write to stdout; allowed: at most one output on stdout`);
  const seen = new Map<string, string>();
  for (const { option, path, kind } of given) {
    if (path === stdoutPath) continue;
    const key = resolve(path);
    const first = seen.get(key);
    if (first !== undefined)
      problems.push(`${option}: ${path} is already the ${first} file; allowed: a different file for each output`);
    seen.set(key, option);
    const problem = outputPathProblem(option, path, kind ?? 'file', options);
    if (problem !== undefined) problems.push(problem);
  }
  if (problems.length > 0) throw new ConfigError(problems);
}

/** True when this command's stdout carries machine output (JSON, CSV or HTML), so words go to stderr. */
export function stdoutTaken(json: boolean | undefined, paths: ReadonlyArray<string | undefined>): boolean {
  return Boolean(json) || paths.includes(stdoutPath);
}

/** Human text: on stdout, or on stderr when stdout carries machine output. */
export function say(text: string, machineOnStdout: boolean): void {
  (machineOnStdout ? process.stderr : process.stdout).write(text);
}

let quiet = false;

/** --quiet: progress, notices and warnings on stderr are dropped (errors are not; simulate and compare drop their table too). Set once per command. */
export function setQuiet(value: boolean): void {
  quiet = value;
}

/** A notice or warning for people, on stderr unless --quiet. */
export function notice(text: string): void {
  if (!quiet) process.stderr.write(text);
}

/** Writes text to a checked path (`-`: stdout) atomically; a file gets a "wrote FILE" notice on stderr. */
export function writeOutput(path: string, text: string): void {
  if (path === stdoutPath) {
    process.stdout.write(text);
    return;
  }
  writeFileAtomic(path, text);
  notice(`wrote ${path}\n`);
}

export const jsonText = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** `--json` (stdout) and `--json-file FILE` (a checked path, `-` too) for one JSON value. */
export function emitJson(value: unknown, opts: { json?: boolean; jsonFile?: string }): void {
  if (opts.json) process.stdout.write(jsonText(value));
  if (opts.jsonFile !== undefined) writeOutput(opts.jsonFile, jsonText(value));
}

/** Adds `--json`, `--json-file FILE` (and `--force` where the command has none) with the convention's wording. */
export function addJsonOptions(command: Command, what: string): Command {
  command
    .option('--json', `print ${what} as JSON on stdout (nothing else goes to stdout)`)
    .option('--json-file <file>', `write ${what} as JSON to a file (- for stdout)`);
  if (!command.options.some((o) => o.long === '--force'))
    command.option('--force', 'overwrite an existing --json-file');
  return command;
}

export interface JsonFlags {
  json?: boolean;
  jsonFile?: string;
  force?: boolean;
}

/** Checks --json-file before any work (the same checks as every other output). */
export function checkJsonFlags(flags: JsonFlags): void {
  checkOutputs([{ option: '--json-file', path: flags.jsonFile }], { force: flags.force, jsonOnStdout: flags.json });
}

/** For commands whose result is one value: the JSON where asked, the table when stdout is free. */
export function jsonOrTable(value: unknown, flags: JsonFlags, table: () => string): void {
  emitJson(value, flags);
  if (!stdoutTaken(flags.json, [flags.jsonFile])) process.stdout.write(table());
}
