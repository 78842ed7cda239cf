// Big chips keep small reports: on a chip of more than 64 cores the memory timeline keeps, per level,
// the instance with the highest peak (the stats keep every instance), and the task timeline each
// stage's first core (the prediction still reads every task); the full ones are an option.
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
  // Task timeline: each stage's first core, the full timeline's entries on it, the same prediction.
  const firsts = new Set(summary.stages.map((s) => s.cores[0]));
  expect(summary.timeline.length).toBeGreaterThan(0);
  expect(summary.timeline).toEqual(full.timeline.filter((e) => firsts.has(e.core)));
  expect(new Set(full.timeline.map((e) => e.core)).size).toBeGreaterThan(firsts.size);
  expect(summary.prediction).toEqual(full.prediction);
  const { timeline: _, memoryTimeline: __, ...rest } = summary;
  const { timeline: ___, memoryTimeline: ____, ...fullRest } = full;
  expect(rest).toEqual(fullRest);
});
