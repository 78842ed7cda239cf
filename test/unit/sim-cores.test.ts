// Cores as a choice: the same chip with 32 cores is not reported slower than with 16 for BP on
// ResNet-9 (the job tries fewer cores and says so), and a fixed core count is honoured and checked.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { coreChoiceText, runSimJob, summaryTable, type SimJob } from '../../sim/job.js';
import { coreCandidates } from '../../sim/choose-cores.js';
import { ConfigError } from '../../src/errors.js';

const root = resolve(import.meta.dirname, '../..');

function chipWith(cores: number): string {
  const file = join(mkdtempSync(join(tmpdir(), 'alrflow-cores-')), `multicore-${cores}.json`);
  const base = JSON.parse(readFileSync(join(root, 'hw-models/multicore-16.json'), 'utf8')) as Record<
    string,
    unknown
  > & { cores: Record<string, unknown> };
  writeFileSync(
    file,
    JSON.stringify({ ...base, $schema: undefined, name: `multicore-${cores}`, cores: { ...base.cores, count: cores } }),
  );
  return file;
}

describe('cores as a choice', () => {
  const job: SimJob = {
    model: 'resnet9',
    method: 'bp',
    copies: 1,
    batch: 32,
    schedule: 'bp-sequential',
    hw: 'multicore-16',
    iterations: 2,
  };

  test('BP ResNet-9: 32 cores are not slower than 16 (bp-sequential and data-parallel)', async () => {
    const chip32 = chipWith(32);
    for (const schedule of ['bp-sequential', 'data-parallel'] as const) {
      const sixteen = await runSimJob({ ...job, schedule });
      const thirtyTwo = await runSimJob({ ...job, schedule, hw: chip32 });
      expect(thirtyTwo.throughput.iterationsPerSecond, schedule).toBeGreaterThanOrEqual(
        sixteen.throughput.iterationsPerSecond,
      );
    }
  });

  test('where all cores would be slower (data-parallel, 1 row per core), fewer are used and the report says so', async () => {
    const thirtyTwo = await runSimJob({ ...job, schedule: 'data-parallel', hw: chipWith(32) });
    const choice = thirtyTwo.coreChoice!;
    expect(choice.available).toBe(32);
    const tried32 = choice.candidates.find((c) => c.cores === 32)!.cyclesPerIteration!;
    expect(tried32).toBeGreaterThan(thirtyTwo.cycles.perIteration.at(-1)!);
    expect(choice.used).toBeLessThan(32);
    expect(summaryTable(thirtyTwo)).toContain(coreChoiceText(choice));
    expect(coreChoiceText(choice)).toContain('fewer cores are faster');
  });

  test('--cores fixes the count; more than the chip has is refused', async () => {
    const four = await runSimJob({ ...job, model: 'mlp', cores: 4 });
    expect(four.coreChoice).toBeUndefined();
    expect(new Set(four.units.filter((u) => u.computeCycles > 0).map((u) => u.core)).size).toBeLessThanOrEqual(4);
    await expect(runSimJob({ ...job, model: 'mlp', cores: 17 })).rejects.toThrow(ConfigError);
  });

  test('candidates halve down to one core', () => {
    expect(coreCandidates(32)).toEqual([32, 16, 8, 4, 2, 1]);
    expect(coreCandidates(12)).toEqual([12, 6, 3, 1]);
  });
});
