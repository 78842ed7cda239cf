// Staleness 1 is structure of the compiled step graph: each update applies a stale buffer (the previous
// step's gradient, a graph tensor of class optimizer-state and a step port) and keeps this step's gradient
// there, so the simulator counts the buffer like SGD's velocity: exactly P x word bytes more optimizer
// state than staleness 0 (P: the parameters; learned sigma adds its C values per layer).
import { describe, expect, test } from 'vitest';
import { compileJob, runSimJob, type SimJob } from '../../sim/job.js';
import { printGraph } from '../../src/ir/print-graph.js';
import { verifyGraph } from '../../src/ir/verify-graph.js';
import type { SimReport } from '../../src/report/sim-report.js';

const job: SimJob = {
  model: 'mlp',
  method: 'alr',
  copies: 4,
  batch: 16,
  schedule: 'layer-pipelined',
  hw: 'multicore-16',
  iterations: 2,
  microBatches: 2,
  // One core: one stage and one instance of each memory level, so every tensor is counted once.
  cores: 1,
};

const stateBytes = (r: SimReport): number =>
  r.memory.reduce((s, m) => s + (m.peakBytesByClass['optimizer-state'] ?? 0), 0);

describe('the stale-gradient buffer of staleness 1', () => {
  test('each update applies its layer stale buffer, a step input and output; staleness 0 has none', async () => {
    const stale = verifyGraph((await compileJob({ ...job, staleness: 1 })).graph);
    const fresh = verifyGraph((await compileJob({ ...job, staleness: 0 })).graph);
    const updates = stale.nodes.filter((n) => n.kind === 'OptimizerUpdate');
    expect(updates.length).toBe(stale.params.length);
    for (const u of updates) {
      const buffer = `${u.layer}.grad.stale`;
      expect(u.inputs[1]).toBe(buffer);
      expect(u.outputs.at(-1)).toBe(`${buffer}.next`);
      const decl = stale.params.find((p) => p.layer === u.layer)!;
      expect(stale.tensors[buffer]).toMatchObject({ cls: 'optimizer-state', shape: [decl.weights + decl.biases] });
      expect(stale.inputs).toContainEqual({ tensor: buffer, role: 'stale-gradient', layer: u.layer });
      expect(stale.outputs).toContainEqual({ tensor: `${buffer}.next`, role: 'stale-gradient', layer: u.layer });
    }
    const text = printGraph(stale);
    expect(text).toMatch(/^tensor \S+\.grad\.stale \[\d+\] f(16|32) optimizer-state layer=/m);
    expect(text).toMatch(/^node \S+\.update OptimizerUpdate update .*stale=true/m);
    expect(printGraph(fresh)).not.toMatch(/grad\.stale|stale=true/);
  });

  test('the simulator counts exactly P x word bytes more optimizer state than staleness 0, with or without momentum', async () => {
    const step = await compileJob(job);
    const params = step.graph.params.reduce((s, p) => s + p.weights + p.biases, 0);
    const word = step.hw.wordBytes;
    for (const momentum of [0, 0.9]) {
      const strict = await runSimJob({ ...job, momentum, staleness: 0 });
      const late = await runSimJob({ ...job, momentum, staleness: 1 });
      expect(stateBytes(strict)).toBe(momentum > 0 ? params * word : 0);
      expect(stateBytes(late) - stateBytes(strict)).toBe(params * word);
    }
  });

  test('with learned sigma the buffer also holds the sigma gradient: C values per layer more', async () => {
    const step = await compileJob({ ...job, learnSigma: true });
    const values = step.graph.params.reduce((s, p) => s + p.weights + p.biases + p.channels, 0);
    const strict = await runSimJob({ ...job, learnSigma: true, staleness: 0 });
    const late = await runSimJob({ ...job, learnSigma: true, staleness: 1 });
    expect(stateBytes(late) - stateBytes(strict)).toBe(values * step.hw.wordBytes);
  });
});
