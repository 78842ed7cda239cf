// Big chips keep small reports: on a chip of more than 64 cores the memory timeline keeps, per level,
// the instance with the highest peak (the stats keep every instance); the full one is an option.
import { expect, test } from 'vitest';
import { runSimJob } from '../../sim/job.js';

test('gpu-like (108 cores): one memory timeline per level by default, every instance with fullTimeline', async () => {
  const job = {
    model: 'mlp',
    method: 'bp' as const,
    copies: 1,
    batch: 256,
    schedule: 'bp-sequential' as const,
    hw: 'gpu-like',
    iterations: 1,
    cores: 108,
  };
  const summary = await runSimJob(job);
  const levels = new Set(summary.memory.map((m) => m.level));
  expect(summary.memoryTimeline.map((t) => t.level).sort()).toEqual([...levels].sort());
  for (const t of summary.memoryTimeline) {
    const peak = Math.max(...summary.memory.filter((m) => m.level === t.level).map((m) => m.peakBytes));
    expect(summary.memory.find((m) => m.level === t.level && m.core === t.core)!.peakBytes).toBe(peak);
  }
  const full = await runSimJob({ ...job, fullTimeline: true });
  expect(full.memoryTimeline.length).toBe(full.memory.length);
  expect(full.memoryTimeline.length).toBeGreaterThan(summary.memoryTimeline.length);
});
