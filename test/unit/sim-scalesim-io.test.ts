// SCALE-Sim file import: malformed .cfg and topology rows become one ConfigError naming file, line,
// key, what was found and what is allowed; GEMM rows map to SCALE-Sim's 1 x K convs.
import { expect, test } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { parseScaleSimConfig } from '../../src/hw/scalesim-cfg.js';
import { parseScaleSimTopology } from '../../src/models/importers/scalesim-topology.js';

const problems = (f: () => unknown): string[] => {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
};

test('a bad dataflow and a bad array height are both reported with line and allowed values', () => {
  const p = problems(() =>
    parseScaleSimConfig(
      '[architecture_presets]\nArrayHeight: -3\nArrayWidth: 8\nIfmapSramSzkB: 1\nFilterSramSzkB: 1\nOfmapSramSzkB: 1\nDataflow: xs\n',
      'a.cfg',
    ),
  );
  expect(p.some((s) => s.includes('a.cfg:2: ArrayHeight') && s.includes('"-3"'))).toBe(true);
  expect(p.some((s) => s.includes('a.cfg:7: Dataflow') && s.includes('os, ws, is'))).toBe(true);
});

test('a short topology row names the line and hints at --gemm', () => {
  const p = problems(() => parseScaleSimTopology('Layer, M, N, K,\nfc1, 64, 256, 784,\n', false, 't.csv'));
  expect(p[0]).toMatch(/t\.csv:2: .*--gemm/);
});

test('GEMM rows become 1 x K convolutions with N filters, like SCALE-Sim', () => {
  const [l] = parseScaleSimTopology('Layer, M, N, K,\nfc1, 64, 256, 784,\n', true);
  expect(l).toMatchObject({
    ifmapHeight: 64,
    ifmapWidth: 784,
    filterHeight: 1,
    filterWidth: 784,
    channels: 1,
    numFilters: 256,
  });
});
