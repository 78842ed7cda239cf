// A hardware file with N independent problems gets exactly N messages in one run, each naming its
// JSON path: schema, unit, value-range and cross-field problems are all reported together (drawn
// combinations of bad fields on a valid file). Also: legal but suspicious values are warnings (a
// level too small to hold one tile), and SCALE-Sim .cfg sections are checked by name.
import { fc, test } from '@fast-check/vitest';
import { expect, test as plainTest } from 'vitest';
import { hwWarnings } from '../../src/hw/hw-warnings.js';
import { parseHwData } from '../../src/hw/load.js';
import { parseScaleSimConfig } from '../../src/hw/scalesim-cfg.js';
import { configProblems } from '../fixtures/config-problems.js';

type Json = Record<string, any>;

const validFile = (): Json => ({
  name: 'drawn',
  description: 'a valid base file',
  clock: '1 GHz',
  wordBytes: 2,
  cores: {
    count: 1,
    systolic: [{ name: 'array', rows: 16, cols: 16, dataflow: 'ws' }],
    vector: [{ name: 'vec', lanes: 16 }],
  },
  memory: [
    { name: 'sram', scope: 'core', capacity: '64 KiB', bandwidth: '64 B/clk', latency: '1 clk' },
    { name: 'dram', scope: 'chip', capacity: '1 GiB', bandwidth: '10 GB/s', latency: '100 ns' },
  ],
});

/** Independent breakages: each makes exactly one problem at `path`, whatever else is broken. */
const breakages: { path: string; apply: (f: Json) => void }[] = [
  {
    path: 'bogus',
    apply: (f) => {
      f.bogus = 1;
    },
  },
  {
    path: 'description',
    apply: (f) => {
      f.description = '';
    },
  },
  {
    path: 'clock',
    apply: (f) => {
      f.clock = '5 B';
    },
  },
  {
    path: 'macEnergy',
    apply: (f) => {
      f.macEnergy = '5 GB';
    },
  },
  {
    path: 'cores.systolic[0].dataflow',
    apply: (f) => {
      f.cores.systolic[0].dataflow = 'xs';
    },
  },
  {
    path: 'cores.systolic[0].rows',
    apply: (f) => {
      f.cores.systolic[0].rows = 2 ** 31 + 1;
    },
  },
  {
    path: 'cores.vector[0].lanes',
    apply: (f) => {
      f.cores.vector[0].lanes = 0;
    },
  },
  {
    path: 'noc',
    apply: (f) => {
      f.cores.count = 4;
    },
  },
  {
    path: 'memory[0].bandwidth',
    apply: (f) => {
      f.memory[0].bandwidth = '-5 GB/s';
    },
  },
  {
    path: 'memory[1].latency',
    apply: (f) => {
      f.memory[1].latency = 'fast';
    },
  },
  {
    path: 'memory[1].name',
    apply: (f) => {
      f.memory[1].name = 'sram';
    },
  },
  {
    path: 'memory[0].banks',
    apply: (f) => {
      f.memory[0].banks = 1.5;
    },
  },
];

test.prop([fc.subarray(breakages, { minLength: 1 })])(
  'N independent bad fields -> N messages, one per JSON path',
  (drawn) => {
    const file = validFile();
    for (const b of drawn) b.apply(file);
    const parsed = parseHwData(file, 'drawn.json');
    expect(parsed.ok).toBe(false);
    const problems = parsed.ok ? [] : parsed.problems;
    expect(problems.map((p) => p.split(': ')[1]).sort()).toEqual(drawn.map((b) => b.path).sort());
  },
);

plainTest('the base file is valid and has no warning; 1 B of SRAM is a warning naming the tile', () => {
  const ok = parseHwData(validFile(), 'base.json');
  expect(ok.ok).toBe(true);
  if (ok.ok) expect(hwWarnings(ok.model)).toEqual([]);
  const tiny = validFile();
  tiny.memory[0].capacity = '1 B';
  const parsed = parseHwData(tiny, 'tiny.json');
  expect(parsed.ok).toBe(true);
  if (!parsed.ok) return;
  const warnings = hwWarnings(parsed.model);
  expect(warnings).toHaveLength(1);
  expect(warnings[0]!.path).toBe('memory[0].capacity');
  expect(warnings[0]!.message).toContain('less than one 16x16 tile of 2-byte words for array "array" (512 B)');
});

const cfg = (sections: string) =>
  `${sections}\nArrayHeight: 8\nArrayWidth: 8\nIfmapSramSzkB: 4\nFilterSramSzkB: 4\nOfmapSramSzkB: 4\nDataflow: os\n`;
const problemsOf = (text: string): string[] => configProblems(() => parseScaleSimConfig(text, 'x.cfg'));

plainTest(
  'SCALE-Sim .cfg: a misspelt or missing section is an error naming the allowed ones; counts are decimal',
  () => {
    expect(problemsOf(cfg('[architecture_presets]'))).toEqual([]);
    const misspelt = problemsOf(cfg('[architecture_preset]'));
    expect(
      misspelt.some((p) =>
        p.includes(
          'section [architecture_preset] is unknown, allowed: [general], [architecture_presets], [run_presets] (did you mean "architecture_presets"?)',
        ),
      ),
    ).toBe(true);
    expect(misspelt.some((p) => p.includes('section [architecture_presets] missing'))).toBe(true);
    expect(
      problemsOf(cfg('')).some((p) =>
        p.includes('ArrayHeight is in no section, allowed: under [architecture_presets]'),
      ),
    ).toBe(true);
    expect(problemsOf(cfg('[architecture_presets]').replace('ArrayHeight: 8', 'ArrayHeight: 0x8'))).toEqual([
      expect.stringContaining('ArrayHeight: found "0x8", allowed: an integer >= 1 in decimal digits'),
    ]);
  },
);
