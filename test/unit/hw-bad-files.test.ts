// Bad hardware files: each kind of mistake gives one message per problem, all at once, each naming
// the file, the JSON path, what was found and what is allowed; `alrflow hw check` exits 2 with them
// and no stack trace. Fixtures are in test/fixtures/hw/.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { checkHwFile, loadHwModel, parseHwData } from '../../src/hw/load.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/hw/${name}.json`, import.meta.url));
const cli = fileURLToPath(new URL('../../src/cli/alrflow.mjs', import.meta.url));

/** Expected problems per fixture: [JSON path, pattern the rest of the message must match]. */
const cases: Record<string, Array<[string, RegExp]>> = {
  malformed: [['malformed JSON at line 4, column 1', /allowed: JSON/]],
  'unknown-key': [
    ['memory[1].bandwith', /unknown key "bandwith", allowed: .*bandwidth.*did you mean "bandwidth"/],
    ['memory[1].bandwidth', /missing, allowed: a positive bandwidth/],
    ['colour', /unknown key "colour", allowed: \$schema, name, /],
  ],
  'missing-field': [
    ['clock', /missing, allowed: a positive frequency/],
    ['memory[0].capacity', /missing, allowed: a positive size in bytes/],
  ],
  negative: [
    ['memory[0].capacity', /found "-64 KiB" \(negative\), allowed: a positive size in bytes/],
    ['cores.systolic[0].rows', /found -8, allowed: a positive integer/],
  ],
  unitless: [
    ['memory[1].bandwidth', /found "25.6" \(a number without a unit\), allowed: a positive bandwidth/],
    ['clock', /found 500000000 \(a number without a unit; quantities are strings\), allowed: a positive frequency/],
  ],
  'wrong-dimension': [
    ['memory[0].capacity', /found "64 MHz" \(a frequency\), allowed: a positive size in bytes/],
    ['clock', /found "2 ns" \(a time\), allowed: a positive frequency/],
  ],
  'unknown-dataflow': [
    ['cores.systolic[0].dataflow', /found "wss", allowed: os \(output stationary\).*did you mean "ws"/],
  ],
  'many-problems': [
    ['description', /missing/],
    ['cores.systolic[0].dataflow', /found "output"/],
    ['memory[0].capacity', /found "64" \(a number without a unit\)/],
    ['memory[0].latency', /found "-1 clk" \(negative\)/],
    ['memory[1].bandwith', /unknown key/],
    ['memory[1].bandwidth', /missing/],
  ],
  'cross-field': [
    ['cores.vector[0].name', /found "array" again \(first at cores.systolic\[0\].name\)/],
    ['noc', /missing, allowed: a noc section \(cores.count is 4/],
    ['memory[1].name', /found "sram" again/],
    ['memory[1].scope', /found "core" on the last \(off-chip\) level, allowed: "chip"/],
    ['memory[0].partition', /ifmap \+ filter \+ ofmap = 96 KiB, allowed: at most the capacity 64 KiB/],
  ],
};

/** Finds the one message for a path: `FILE: PATH: rest`. */
function messageFor(problems: string[], file: string, path: string): string | undefined {
  const matching = problems.filter((p) => p.startsWith(`${file}: ${path}: `) || p.startsWith(`${file}: ${path},`));
  expect(matching, `exactly one message for ${path} in:\n${problems.join('\n')}`).toHaveLength(1);
  return matching[0];
}

describe.each(Object.entries(cases))('fixture %s', (name, expected) => {
  test('checkHwFile reports exactly the expected problems, each naming file and path', () => {
    const file = fixture(name);
    const problems = checkHwFile(file);
    expect(problems).toHaveLength(expected.length);
    for (const [path, pattern] of expected) expect(messageFor(problems, file, path)).toMatch(pattern);
  });
  test('loadHwModel throws one ConfigError carrying all of them (exit code 2)', () => {
    let caught: unknown;
    try {
      loadHwModel(fixture(name));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).exitCode).toBe(2);
    expect((caught as ConfigError).problems).toEqual(checkHwFile(fixture(name)));
  });
});

test('the valid fixture has no problems and converts units', () => {
  expect(checkHwFile(fixture('valid'))).toEqual([]);
  const model = loadHwModel(fixture('valid'));
  expect(model.memory[1]?.bandwidthBytesPerCycle).toBe(8e9 / 500e6);
  expect(model.memory[1]?.latencyCycles).toBe(25);
});

test('parseHwData labels in-memory data and handles a non-object', () => {
  const result = parseHwData([], 'inline');
  expect(result.ok).toBe(false);
  if (!result.ok)
    expect(result.problems).toEqual([
      expect.stringMatching(/^inline: \(top level\): found \[\] \(a list\), allowed: an object with keys/),
    ]);
});

test('a missing file is one problem naming it', () => {
  expect(checkHwFile('/nonexistent/hw.json')).toEqual([
    expect.stringMatching(/^\/nonexistent\/hw.json: cannot read the file \(ENOENT\)/),
  ]);
});

const run = promisify(execFile);
async function hwCheck(file: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, 'hw', 'check', file], { encoding: 'utf8' });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('alrflow hw check: exit 2 with every problem (malformed JSON: line and column) and no stack trace; exit 0 when valid', async () => {
  // The CLI runs in parallel: each start (tsx + mathjs) takes seconds on the shared 2-core machine.
  const [bad, malformed, good] = await Promise.all([
    hwCheck(fixture('many-problems')),
    hwCheck(fixture('malformed')),
    hwCheck(fixture('valid')),
  ]);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/^alrflow: 6 problems in /);
  for (const [path] of cases['many-problems'] ?? [])
    expect(bad.stderr).toContain(`${fixture('many-problems')}: ${path}: `);
  expect(malformed.code).toBe(2);
  expect(malformed.stderr).toMatch(/malformed JSON at line 4, column 1/);
  for (const stderr of [bad.stderr, malformed.stderr]) expect(stderr).not.toMatch(/\n\s+at |internal error/);
  expect(good).toMatchObject({ code: 0, stdout: `${fixture('valid')}: ok\n`, stderr: '' });
});
