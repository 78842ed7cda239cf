// The smaller input and output problems of issue 25, one test each: hw show prints rounded energies
// and no "vector vector"; a key given twice in a JSON input is an error (JSON.parse keeps the last
// silently) while a UTF-8 byte-order mark is accepted; a binary .cfg is one clear problem and a
// misspelt .cfg key is named; sweep ranges may write min and max in different units of one kind;
// train says when --batch leaves a tenth of the training samples out of every epoch.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { describeHwModel } from '../../src/hw/describe-hw-model.js';
import { loadHwModel, parseHwText } from '../../src/hw/load.js';
import { parseScaleSimConfig } from '../../src/hw/scalesim-cfg.js';
import { duplicateKeyProblems } from '../../src/json-text.js';
import { parseNetworkText } from '../../src/models/network-file.js';
import { expand } from '../../src/sweep/expand.js';
import { checkHwRanges } from '../../src/sweep/hw-overrides.js';
import { readSweepSpec } from '../../src/sweep/spec.js';
import { buildCli, root, tinyIrisTrainArgs } from '../fixtures/built-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'alrflow-smaller-'));
const cli = buildCli();
afterAll(() => cli.remove());
const edgeNpu = readFileSync(join(root, 'hw-models/edge-npu.json'), 'utf8');
const os32 = readFileSync(join(root, 'test/fixtures/scalesim-cases/os32.cfg'), 'utf8');

test('hw show: energies rounded (31 pJ/B, not 30.999999999999996), a unit named like its kind said once', () => {
  const text = describeHwModel(loadHwModel('multicore-16'));
  expect(text).toContain('read 31 pJ/B');
  expect(text).not.toMatch(/\d\.\d{12,}/);
  expect(text).not.toContain('vector vector');
  expect(text).toMatch(/^ {2}vector: 32 lanes$/m);
});

test('duplicate keys are found per object, with lines; the same key in two objects is fine', () => {
  expect(duplicateKeyProblems('{"a": 1, "b": {"a": 2}, "c": [{"a": 3}, {"a": 4}]}')).toEqual([]);
  expect(duplicateKeyProblems('{"s": "x\\"a\\": 1", "a": 1}')).toEqual([]);
  expect(duplicateKeyProblems('{\n "a": 1,\n "b": {"c": 1,\n "c": 2},\n "a": 3\n}')).toEqual([
    'duplicate key "c" at line 4 (first at line 3); allowed: each key once in an object',
    'duplicate key "a" at line 5 (first at line 2); allowed: each key once in an object',
  ]);
});

test('a hardware file: a key twice is refused, a UTF-8 byte-order mark is accepted', () => {
  const twice = edgeNpu.replace('"name"', '"name": "first",\n  "name"');
  const parsed = parseHwText(twice, 'twice.json');
  expect(parsed.ok).toBe(false);
  if (!parsed.ok)
    expect(parsed.problems[0]).toMatch(/^twice\.json: duplicate key "name" at line \d+ \(first at line \d+\)/);
  expect(parseHwText(`\ufeff${edgeNpu}`, 'bom.json').ok).toBe(true);
});

test('a sweep spec and a network file: a key twice is refused, a byte-order mark accepted', () => {
  const spec = readFileSync(join(root, 'test/fixtures/sweep-small.json'), 'utf8');
  writeFileSync(join(dir, 'bom.json'), `\ufeff${spec}`);
  expect(readSweepSpec(join(dir, 'bom.json')).ok).toBe(true);
  writeFileSync(join(dir, 'twice.json'), spec.replace('"iterations": 1', '"iterations": 1, "iterations": 2'));
  expect(() => readSweepSpec(join(dir, 'twice.json'))).toThrow(/duplicate key "iterations"/);
  const net = '{"name": "n", "inputShape": [4], "classes": 3, "classes": 2, "layers": []}';
  expect(() => parseNetworkText(net, 'net.json')).toThrow(/net\.json: duplicate key "classes"/);
});

test('a binary .cfg is one problem without its bytes; a misspelt key is named beside the missing one', () => {
  const binary = `\u0000\u0001ELF\ufffd\ufffd\n${'\u0000'.repeat(40)}\n`;
  let err: unknown;
  try {
    parseScaleSimConfig(binary, 'bin.cfg');
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ConfigError);
  expect((err as ConfigError).problems).toEqual([
    expect.stringMatching(/^bin\.cfg: not a text file \(\d+ NUL or non-UTF-8 bytes\)/),
  ]);
  expect((err as ConfigError).message).not.toContain('\u0000');
  expect(() => parseScaleSimConfig(os32.replace('ArrayHeight', 'ArrayHieght'), 'mis.cfg')).toThrow(
    /ArrayHeight missing \(line \d+ has "ArrayHieght": misspelt\?\)/,
  );
});

test('sweep ranges in two units of one kind are stepped in the min unit; two kinds are refused', () => {
  const base = JSON.parse(readFileSync(join(root, 'test/fixtures/sweep-small.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  const write = (name: string, hwRanges: unknown): string => {
    writeFileSync(join(dir, name), JSON.stringify({ ...base, copies: [2], batch: [2], hwRanges }));
    return join(dir, name);
  };
  const mixed = readSweepSpec(
    write('mixed.json', {
      'memory[0].capacity': { min: '256 KiB', max: '1 MiB', factor: 2 },
      'memory[1].bandwidth': { min: '100 GB/s', max: '1 TB/s', factor: 10 },
    }),
  );
  expect(mixed.problems).toEqual([]);
  if (!mixed.ok) return;
  expect(checkHwRanges(mixed.spec, 'mixed.json')).toEqual([]);
  const overrides = expand(mixed.spec).map((p) => p.hwOverrides);
  expect(new Set(overrides.map((o) => o['memory[0].capacity']))).toEqual(new Set(['256 KiB', '512 KiB', '1024 KiB']));
  expect(new Set(overrides.map((o) => o['memory[1].bandwidth']))).toEqual(new Set(['100 GB/s', '1000 GB/s']));
  const kinds = readSweepSpec(
    write('kinds.json', { 'memory[0].capacity': { min: '256 KiB', max: '1 GHz', factor: 2 } }),
  );
  expect(kinds.problems.join('\n')).toContain('min and max use units of different kinds ("KiB" and "GHz")');
});

test('train --batch 64 on Iris says that 56 of the 120 samples sit out each epoch', () => {
  const base = tinyIrisTrainArgs;
  const r = cli.run([...base, '--batch', '64', '--out', join(dir, 'iris64')]);
  expect(r.status, r.stderr).toBe(0);
  expect(r.stderr).toContain('--batch 64 uses 64 of the 120 training samples per epoch (56 sit out each epoch');
  expect(r.stderr).toContain('hint: --batch 60 uses them all');
  const whole = cli.run([...base, '--batch', '60', '--out', join(dir, 'iris60')]);
  expect(whole.stderr).not.toContain('sit out');
});

test("the README's sweep spec example is a valid spec of the size it implies", () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const example = /## Sweep specs[\s\S]*?```json\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(example).toBeDefined();
  writeFileSync(join(dir, 'readme-spec.json'), example!);
  const checked = readSweepSpec(join(dir, 'readme-spec.json'));
  expect(checked.problems).toEqual([]);
  if (checked.ok) expect(checkHwRanges(checked.spec, 'readme')).toEqual([]);
});
