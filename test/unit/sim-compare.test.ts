// `compare` keeps going past a method that does not fit: the row records the shortfall, and the
// rows that fit are still measured against BP.
import { expect, test } from 'vitest';
import { compareTable, runCompare } from '../../sim/compare.js';

test('an infeasible row carries its shortfall; feasible rows keep their ratio to BP', async () => {
  const report = await runCompare({ model: 'resnet9', hw: 'edge-npu', copies: 64, batch: 32, iterations: 2 });
  const row = (method: string, schedule: string) =>
    report.rows.find((r) => r.method === method && r.schedule === schedule)!;
  expect(row('bp', 'bp-sequential').ratioToBp).toBe(1);
  expect(row('lr', 'sequential').infeasible).toMatch(
    /live at peak on level lpddr4 \(capacity 2 GiB\) under schedule sequential/,
  );
  expect(row('lr', 'sequential').iterationsPerSecond).toBe(0);
  const pipelined = row('alr', 'layer-pipelined');
  expect(pipelined.infeasible).toBeUndefined();
  expect(pipelined.ratioToBp).toBeCloseTo(
    pipelined.iterationsPerSecond / row('bp', 'bp-sequential').iterationsPerSecond,
    12,
  );
  expect(compareTable(report)).toMatch(/lr\s+sequential\s+infeasible: /);
  // A simulated peak over the 2 GiB of lpddr4 (the last level: nothing to spill to) makes its row infeasible; every other row fits each level.
  for (const r of report.rows) {
    if ((r.peakBytesByLevel['lpddr4'] ?? 0) > 2 * 2 ** 30)
      expect(r.infeasible).toMatch(/simulated peak of lpddr4 .* exceeds its capacity 2048\.00 MiB/);
    else if (!r.infeasible)
      for (const l of r.levels!)
        expect(l.peakBytes, `${r.method} ${r.schedule} ${l.level}`).toBeLessThanOrEqual(l.capacityBytes);
  }
});
