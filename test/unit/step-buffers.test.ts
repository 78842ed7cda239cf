// Noise output arrays reused between steps (src/train/runtime/step-buffers.ts, the noise kernels'
// `reuse` argument): a host noise kernel handed arrays full of stale values returns those arrays with
// the same bits as fresh ones (in-thread and split over the tfjs-wasm pool), arrays of other lengths
// are not taken, a node's arrays come back only for the same graph, node and rows, never when the step
// hands them out; and LR and ALR runs whose steps reuse them (three micro-batches interleaved per step,
// each with its own arrays) give the losses and parameters of runs that never reuse them.
import { afterAll, describe, expect, it, test, vi } from 'vitest';
import { hostNoiseInject, hostNoiseInjectSigns } from '../../kernels/host-noise.js';
import type { NoiseInjectArgs } from '../../kernels/names.js';
import { loadTfjs } from '../../kernels/tfjs/tfjs-runtime.js';
import { pooledTable } from '../../kernels/tfjs/tfjs-split.js';
import { tfjsTable } from '../../kernels/tfjs/tfjs-table.js';
import { TfjsWorkerPool } from '../../kernels/tfjs/tfjs-worker-pool.js';
import { stepSource } from '../../src/compiler/step-source.js';
import { loadHwModel } from '../../src/hw/load.js';
import type { Graph, IrNode } from '../../src/ir/types.js';
import { mlp } from '../../src/models/builders.js';
import { Runtime } from '../../src/train/runtime/runtime.js';
import { StepBuffers } from '../../src/train/runtime/step-buffers.js';
import type { Batch } from '../../src/train/runtime/step-types.js';
import { methodOptions, sgdMomentum } from '../fixtures/runtime-options.js';

const call = (rows: number, units: number): NoiseInjectArgs => ({
  z: Float32Array.from({ length: 2 * units }, (_, i) => Math.sin(i)),
  copies: rows / 2,
  sigma: Float64Array.from({ length: units }, (_, i) => 0.1 + i / 100),
  rows,
  channels: units,
  spatial: 1,
  seed: 3,
  step: 5,
  layer: 2,
  rowOffset: 0,
});

/** Arrays of the right lengths holding values no draw gives (NaN, all sign bits set). */
const stale = (a: NoiseInjectArgs): { out: Float32Array; signs: Uint32Array } => {
  const n = a.rows * a.channels * a.spatial;
  return { out: new Float32Array(n).fill(NaN), signs: new Uint32Array(Math.ceil(n / 32)).fill(0xffffffff) };
};

describe('a noise kernel handed arrays to reuse', () => {
  // 64 units: the wasm row pass; 10: sign words shared between rows (the JS pass).
  test.each([64, 10])('host pass, %i units: the same arrays back, the bits of fresh ones', (units) => {
    const a = call(32, units);
    const fresh = hostNoiseInjectSigns(a);
    const reuse = stale(a);
    const again = hostNoiseInjectSigns({ ...a, reuse });
    expect(again.out).toBe(reuse.out);
    expect(again.signs).toBe(reuse.signs);
    expect(again.out).toEqual(fresh.out);
    expect(again.signs).toEqual(fresh.signs);
    const plain = hostNoiseInject({ ...a, reuse: { out: new Float32Array(32 * units).fill(NaN) } });
    expect(plain).toEqual(fresh.out);
  });

  test('arrays of another length are left alone', () => {
    const a = call(32, 64);
    const wrong = { out: new Float32Array(7), signs: new Uint32Array(3) };
    const r = hostNoiseInjectSigns({ ...a, reuse: wrong });
    expect(r.out).not.toBe(wrong.out);
    expect(r.signs).not.toBe(wrong.signs);
    expect(r.out).toEqual(hostNoiseInjectSigns(a).out);
  });

  let dispose: () => Promise<void> = async () => {};
  afterAll(async () => dispose());
  test('split over the tfjs-wasm pool: the same arrays back, the bits of the unsplit kernel', async () => {
    const tf = await loadTfjs();
    const base = tfjsTable(tf);
    const split = pooledTable(tf, base, new TfjsWorkerPool({ threads: 2 }), {
      minFlop: 0,
      minFlopPerValue: 0,
      minDraws: 0,
      minRowsPerThread: 0,
    });
    dispose = split.dispose;
    for (const units of [64, 10]) {
      const a = call(64, units);
      const want = await base['noise-inject-signs'](a);
      const reuse = stale(a);
      const got = await split.table['noise-inject-signs']({ ...a, reuse });
      expect(got.out).toBe(reuse.out);
      expect(got.signs).toBe(reuse.signs);
      expect(got.out).toEqual(want.out);
      expect(got.signs).toEqual(want.signs);
    }
  });
});

describe('StepBuffers', () => {
  const graph = { outputs: [{ tensor: 'g', role: 'gradient', layer: 'fc1' }] } as unknown as Graph;
  const node = { id: 'fc1.inject', outputs: ['h', 'signs'] } as unknown as IrNode;
  const arrays = { out: new Float32Array(4), signs: new Uint32Array(1) };

  it('hands a node its arrays back once, for the same graph, node and rows only', () => {
    const b = new StepBuffers();
    b.keep(graph, node, 0, 'signed', arrays);
    expect(b.take(graph, node, 4, 'signed')).toBeUndefined();
    expect(b.take(graph, node, 0, 'eps')).toBeUndefined();
    expect(b.take({ ...graph } as Graph, node, 0, 'signed')).toBeUndefined();
    expect(b.take(graph, { ...node, id: 'fc2.inject' } as IrNode, 0, 'signed')).toBeUndefined();
    expect(b.take(graph, node, 0, 'signed')).toBe(arrays);
    expect(b.take(graph, node, 0, 'signed')).toBeUndefined();
  });

  it('never keeps what the step hands out (a graph output port)', () => {
    const b = new StepBuffers();
    b.keep(graph, { ...node, outputs: ['g'] } as IrNode, 0, 'signed', arrays);
    expect(b.take(graph, { ...node, outputs: ['g'] } as IrNode, 0, 'signed')).toBeUndefined();
  });
});

describe('LR and ALR steps reusing their noise arrays', () => {
  const samples = 6;
  let s = 11;
  const next = (): number => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 30 - 1;
  const batch: Batch = {
    x: Float64Array.from({ length: samples * 8 }, next),
    labels: Int32Array.from({ length: samples }, (_, i) => i % 3),
    samples,
  };
  const make = (method: 'lr' | 'alr', microBatches: number): Promise<Runtime> =>
    Runtime.create({
      network: stepSource(mlp([8, 32, 3])),
      backend: 'tfjs-wasm',
      seed: 4,
      method: methodOptions(method, 4),
      optimizer: sgdMomentum,
      ...(microBatches > 1
        ? {
            schedule: {
              kind: 'layer-pipelined',
              batch: samples,
              microBatches,
              staleness: 0,
              hw: loadHwModel('multicore-16'),
            },
          }
        : {}),
    });

  /** Losses of `steps` steps and the state after them. */
  async function run(
    method: 'lr' | 'alr',
    micro: number,
    steps: number,
  ): Promise<{ losses: number[]; state: unknown }> {
    const runtime = await make(method, micro);
    try {
      const losses: number[] = [];
      for (let step = 0; step < steps; step++) losses.push((await runtime.trainStep(batch, step, 0.05)).meanLoss);
      await runtime.syncHost();
      return { losses, state: runtime.exportState().arrays };
    } finally {
      await runtime.dispose();
    }
  }

  // Per step and micro-batch, two noise nodes: ALR keeps one set each (output and sign words), LR two (eps, output).
  it.each([
    ['alr', 1, 2],
    ['alr', 3, 2],
    ['lr', 1, 4],
    ['lr', 3, 4],
  ] as const)(
    '%s, %i micro-batch(es): the losses and parameters of runs that never reuse them',
    async (method, micro, sets) => {
      const take = vi.spyOn(StepBuffers.prototype, 'take');
      const reusing = await run(method, micro, 4);
      // Every step after the first took back each set it kept (per micro-batch).
      expect(take.mock.results.filter((r) => r.value !== undefined).length).toBe(3 * sets * micro);
      take.mockReturnValue(undefined);
      const fresh = await run(method, micro, 4);
      take.mockRestore();
      expect(reusing.losses).toEqual(fresh.losses);
      expect(reusing.state).toEqual(fresh.state);
    },
  );
});
