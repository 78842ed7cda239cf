// Optimizer state is part of the step graph, so the simulator counts it like any other tensor: SGD
// with momentum keeps one velocity per parameter (P x word bytes more than without), Adam two moments.
import { afterAll, describe, expect, test } from 'vitest';
import { compileJob, runSimJob, type SimJob } from '../../sim/job.js';
import type { SimReport } from '../../src/report/sim-report.js';
import { buildCli } from '../fixtures/built-cli.js';

const job: SimJob = {
  model: 'mlp',
  method: 'alr',
  copies: 4,
  batch: 16,
  schedule: 'sequential',
  hw: 'multicore-16',
  iterations: 1,
  // One core: one instance of each memory level, so every tensor is counted once.
  cores: 1,
};

/** Peak bytes of one class summed over every memory instance. */
const peakOf = (r: SimReport, cls: 'weight' | 'optimizer-state'): number =>
  r.memory.reduce((s, m) => s + (m.peakBytesByClass[cls] ?? 0), 0);

describe('optimizer state in the simulated step', () => {
  test('SGD with momentum counts exactly P x word bytes more weight-side memory than with momentum 0', async () => {
    const step = await compileJob(job);
    const params = Object.values(step.graph.tensors)
      .filter((t) => t.cls === 'weight' && t.id.endsWith('.params'))
      .reduce((s, t) => s + t.shape.reduce((a, b) => a * b, 1), 0);
    expect(params).toBeGreaterThan(0);
    const word = step.hw.wordBytes;
    const plain = await runSimJob({ ...job, momentum: 0 });
    const momentum = await runSimJob({ ...job, momentum: 0.9 });
    expect(peakOf(plain, 'optimizer-state')).toBe(0);
    expect(peakOf(momentum, 'optimizer-state')).toBe(params * word);
    expect(peakOf(momentum, 'weight')).toBe(peakOf(plain, 'weight'));
    const total = (r: SimReport): number => r.memory.reduce((s, m) => s + m.peakBytes, 0);
    expect(total(momentum) - total(plain)).toBe(params * word);
  });

  test('Adam counts two moments per parameter', async () => {
    const step = await compileJob({ ...job, optimizer: 'adam' });
    const state = Object.values(step.graph.tensors).filter((t) => t.cls === 'optimizer-state');
    const params = Object.values(step.graph.tensors).filter((t) => t.cls === 'weight' && t.id.endsWith('.params'));
    const count = (ts: typeof state): number => ts.reduce((s, t) => s + t.shape.reduce((a, b) => a * b, 1), 0);
    expect(count(state.filter((t) => !t.id.endsWith('.next')))).toBe(2 * count(params));
    const adam = await runSimJob({ ...job, optimizer: 'adam' });
    expect(peakOf(adam, 'optimizer-state')).toBe(2 * count(params) * step.hw.wordBytes);
    const plain = await runSimJob(job);
    expect(peakOf(adam, 'weight')).toBe(peakOf(plain, 'weight'));
  });

  test('momentum outside [0, 1) is refused with the option named', async () => {
    await expect(compileJob({ ...job, momentum: 1.5 })).rejects.toThrow(/--momentum: found 1.5/);
  });
});

describe('simulate --momentum', () => {
  const cli = buildCli();
  afterAll(() => cli.remove());
  const args = ['simulate', '--model', 'mlp', '--method', 'alr', '--copies', '4', '--batch', '16'];
  const run = (extra: string[]): SimReport => {
    const r = cli.run([...args, '--hw', 'multicore-16', '--cores', '1', '--iterations', '1', '--json', ...extra]);
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as SimReport;
  };

  test('the default SGD momentum (0.9) counts P x word bytes more than --momentum 0; Adam two moments', async () => {
    const step = await compileJob(job);
    const params = step.graph.params.reduce((s, p) => s + p.weights + p.biases, 0);
    const word = step.hw.wordBytes;
    const total = (r: SimReport): number => r.memory.reduce((s, m) => s + m.peakBytes, 0);
    const plain = run(['--momentum', '0']);
    expect(total(run([])) - total(plain)).toBe(params * word);
    expect(total(run(['--momentum', '0.5'])) - total(plain)).toBe(params * word);
    expect(total(run(['--optimizer', 'adam'])) - total(plain)).toBe(2 * params * word);
  });
});
