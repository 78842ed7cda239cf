// probe's text table: columns sized to their cells, so large norm ratios never run into the next cell.
import { expect, test } from 'vitest';
import { probeTable, type ProbeFlags } from '../../src/cli/commands/probe.js';

test('probe table cells stay apart whatever their width, with large ratios in exponent form', () => {
  const layer = (name: string, cosine: number, ratio: number) => ({
    layer: name,
    cosineToBp: cosine,
    normRatio: ratio,
  });
  const report = {
    model: 'net',
    backend: 'reference',
    runs: [
      { method: 'bp', copies: 1, layers: [layer('conv1', 1, 1), layer('fc', 1, 1)] },
      { method: 'alr', copies: 64, layers: [layer('conv1', 0.013, 5341.08), layer('fc', 0.655, 53042.3)] },
    ],
  } as unknown as Parameters<typeof probeTable>[0];
  const text = probeTable(report, { dataset: 'mnist', batch: '8' } as ProbeFlags);
  const rows = text.trim().split('\n').slice(1);
  expect(rows.map((r) => r.trim().split(/\s{2,}/))).toEqual([
    ['method', 'K', 'conv1', 'fc'],
    ['bp', '1', '1.000 / 1.00', '1.000 / 1.00'],
    ['alr', '64', '0.013 / 5341.08', '0.655 / 5.30e+4'],
  ]);
});
