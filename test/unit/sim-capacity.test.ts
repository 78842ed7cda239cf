// One truth about capacity: a report never shows a level's peak above its capacity while the run is
// called feasible. Placements that need more spill (the resident share stays, the rest lives on the
// next level with its traffic counted), also where the simulation overlaps lifetimes that the task
// order keeps apart; every level carries its capacity and verdict.
import { describe, expect, test } from 'vitest';
import { levelsOf, runSimJob, summaryTable } from '../../sim/job.js';
import { simulate } from '../../sim/simulate.js';
import { concurrentPair, testHw } from '../fixtures/sim-steps.js';

describe('capacity', () => {
  test('lifetimes that overlap only in the simulation spill: the peak stays within the capacity and the spill traffic is counted', () => {
    const hw = testHw({ sramBytes: 1000, lanes: 64 });
    const r = simulate(concurrentPair(hw, 600), { iterations: 1 });
    const sram = r.memory.find((m) => m.level === 'sram')!;
    expect(sram.peakBytes).toBeLessThanOrEqual(1000);
    expect(sram.verdict).toBe('spills');
    expect(sram.spillFraction).toBeCloseTo(200 / 1200, 9);
    const dram = r.traffic.find((t) => t.where === 'dram')!;
    // 1200 bytes written to the SRAM; a sixth of each spills (written out, read back).
    expect(dram.bytesRead + dram.bytesWritten).toBeCloseTo(2 * 1200 * (200 / 1200), 6);
    expect(r.memory.find((m) => m.level === 'dram')!.peakBytes).toBeCloseTo(200, 6);
  });

  test('enough room: nothing spills', () => {
    const r = simulate(concurrentPair(testHw({ sramBytes: 1200, lanes: 64 }), 600), { iterations: 1 });
    expect(r.memory.find((m) => m.level === 'sram')!.verdict).toBe('fits');
    expect(r.traffic.find((t) => t.where === 'dram')).toBeUndefined();
  });

  test('gpu-like ResNet-9 ALR: every level within its capacity, each with its verdict in the text', async () => {
    const r = await runSimJob({
      model: 'resnet9',
      method: 'alr',
      copies: 8,
      batch: 32,
      schedule: 'sequential',
      hw: 'gpu-like',
      iterations: 1,
      cores: 32,
    });
    for (const m of r.memory) expect(m.peakBytes, `${m.level}@${m.core}`).toBeLessThanOrEqual(m.capacityBytes);
    const levels = levelsOf(r);
    expect(levels.map((l) => l.level).sort()).toEqual(['hbm2', 'l1-shared', 'l2']);
    expect(levels.find((l) => l.level === 'l2')!.verdict).toBe('spills');
    const text = summaryTable(r);
    expect(text).toMatch(/peak l2\s+38\.15 MiB of 38\.15 MiB: full, the rest spills/);
    for (const l of levels) {
      const said = l.verdict === 'spills' ? 'full, the rest spills' : l.verdict;
      expect(text, l.level).toMatch(new RegExp(`peak ${l.level}\\s+[^\\n]*: ${said}`));
    }
  });
});
