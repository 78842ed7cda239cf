// Kernels run resident (kernels/device-tensor.ts, runner.runResident): on tfjs-wasm a chain of
// kernels passes TF.js-resident handles and ends equal to the same chain on host arrays; handles
// reaching a kernel with no resident version are downloaded; shapes are checked on handles and
// finiteness on host arrays; disposing the handles returns TF.js to its tensor count. The runtime
// on tfjs-wasm gives the same step with residency on and off, and leaks no tensor across steps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceTensor, downloadResult, isDeviceTensor } from '../../kernels/device-tensor.js';
import { openBackend, type KernelRunner } from '../../kernels/registry.js';
import { loadTfjs } from '../../kernels/tfjs/tfjs-runtime.js';
import { mlp } from '../../src/models/builders.js';
import { Runtime } from '../../src/train/runtime/runtime.js';
import { residentDefault } from '../../src/train/runtime/resolve-kernels.js';
import { ConfigError, InvalidInputError } from '../../src/errors.js';
import { stepSource } from '../../src/compiler/step-source.js';
import { methodOptions, sgdMomentum } from '../fixtures/runtime-options.js';

function data(length: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length }, () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5);
}

const maxRel = (got: Float32Array, want: Float32Array): number =>
  Math.max(...Array.from(want, (w, i) => Math.abs(got[i]! - w) / (1e-6 + Math.abs(w))));

describe('resident kernels on tfjs-wasm', () => {
  let runner: KernelRunner;
  let tf: Awaited<ReturnType<typeof loadTfjs>>;
  beforeAll(async () => {
    runner = await openBackend('tfjs-wasm');
    tf = await loadTfjs();
  });
  afterAll(() => runner.dispose());

  // Small enough that no call is split over the worker pool, so every kernel of the chain is resident.
  const [m, k, h, n] = [5, 13, 7, 3];
  const x = data(m * k, 1);
  const w1 = data(h * k, 2);
  const b1 = data(h, 3);
  const w2 = data(n * h, 4);

  it('matmul-a-bt -> bias-activation -> matmul-a-bt keeps the intermediates in TF.js and ends equal to the host chain', async () => {
    const before = tf.memory().numTensors;
    const z = await runner.runResident('matmul-a-bt', { a: x, b: w1, m, k, n: h });
    const act = await runner.runResident('bias-activation', {
      z: z.out,
      bias: b1,
      rows: m,
      channels: h,
      spatial: 1,
      activation: 'relu',
    });
    const out = await runner.runResident('matmul-a-bt', { a: act.out, b: w2, m, k: h, n });
    for (const r of [z, act, out]) expect(r.backend).toBe('tfjs-wasm');
    expect(isDeviceTensor(z.out) && isDeviceTensor(act.out) && isDeviceTensor(out.out)).toBe(true);
    expect(tf.memory().numTensors).toBe(before + 3);
    const got = (await downloadResult(out.out)) as Float32Array;
    const hz = (await runner.run('matmul-a-bt', { a: x, b: w1, m, k, n: h })).out;
    const ha = (
      await runner.run('bias-activation', { z: hz, bias: b1, rows: m, channels: h, spatial: 1, activation: 'relu' })
    ).out;
    const want = (await runner.run('matmul-a-bt', { a: ha, b: w2, m, k: h, n })).out as Float32Array;
    expect(maxRel(got, want)).toBeLessThan(1e-6);
    for (const r of [z, act, out]) (r.out as DeviceTensor).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a handle given to a kernel with no resident version (loss-baseline) is downloaded: same result as host arrays', async () => {
    const g = await runner.runResident('matmul-a-bt', { a: x, b: w1, m, k, n: h });
    const args = { samples: m, copies: h, baseline: 'mean', copyMajor: false } as const;
    const viaHandle = await runner.runResident('loss-baseline', { loss: g.out, ...args });
    const host = await runner.run('loss-baseline', { loss: await downloadResult(g.out), ...args });
    expect(isDeviceTensor(viaHandle.out)).toBe(false);
    expect(Array.from(viaHandle.out as Float64Array)).toEqual(Array.from(host.out));
    (g.out as DeviceTensor).dispose();
  });

  it('the SGD update on handles runs in TF.js (a step whose state stays there): handles out, the host loop to float32 rounding', async () => {
    const g = await runner.runResident('matmul-a-bt', { a: x, b: w1, m, k, n: h });
    const w = data(m * h, 5);
    const v = data(m * h, 6);
    const viaHandle = await runner.runResident('sgd-update', { w, g: g.out, v, lr: 0.1, momentum: 0.9 });
    const host = await runner.run('sgd-update', { w, g: await downloadResult(g.out), v, lr: 0.1, momentum: 0.9 });
    expect(isDeviceTensor(viaHandle.out.w) && isDeviceTensor(viaHandle.out.v)).toBe(true);
    const [wNext, vNext] = [await downloadResult(viaHandle.out.w), await downloadResult(viaHandle.out.v)];
    // Values of magnitude below 2: a few float32 roundings apart (the host loop rounds once).
    const maxAbs = (a: Float32Array, b: Float32Array) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]!)));
    expect(maxAbs(wNext as Float32Array, host.out.w as Float32Array)).toBeLessThan(1e-6);
    expect(maxAbs(vNext as Float32Array, host.out.v as Float32Array)).toBeLessThan(1e-6);
    // A wrong momentum is far outside that bound.
    const off = await runner.run('sgd-update', { w, g: await downloadResult(g.out), v, lr: 0.1, momentum: 0.8 });
    expect(maxAbs(vNext as Float32Array, off.out.v as Float32Array)).toBeGreaterThan(1e-3);
    for (const t of [g.out, viaHandle.out.w, viaHandle.out.v]) (t as DeviceTensor).dispose();
  });

  it('checks shapes on handles and finiteness on host arrays entering the device', async () => {
    const z = await runner.runResident('matmul-a-bt', { a: x, b: w1, m, k, n: h });
    await expect(runner.runResident('matmul-a-bt', { a: z.out, b: w2, m, k: h + 1, n })).rejects.toThrow(
      InvalidInputError,
    );
    const bad = Float32Array.from(w2);
    bad[2] = Number.NaN;
    await expect(runner.runResident('matmul-a-bt', { a: z.out, b: bad, m, k: h, n })).rejects.toThrow(/b\[2\] = NaN/);
    (z.out as DeviceTensor).dispose();
    expect(() => (z.out as DeviceTensor).native).toThrow(/after dispose/);
  });

  it('above the pool threshold, only calls the pool really splits leave the device: lr-grad-product (never split) keeps its handle', async () => {
    // ALR's output-layer product at MNIST size: 4096 rows x 10 outs x 256 ins = 2^24.3 FLOP.
    const [rows, outs, ins] = [4096, 10, 256];
    const hx = await runner.runResident('bias-activation', {
      z: data(rows * ins, 8),
      bias: new Float32Array(ins),
      rows,
      channels: ins,
      spatial: 1,
      activation: 'relu',
    });
    const xHandle = hx.out as DeviceTensor;
    const g = await runner.runResident('lr-grad-product', {
      loss: data(rows, 9),
      e: data(rows * outs, 10),
      x: xHandle,
      sigma: new Float32Array(outs).fill(0.1),
      rows,
      outs,
      ins,
      scale: 1 / rows,
    });
    expect(xHandle.downloaded).toBeUndefined();
    const wide = await runner.runResident('matmul-a-bt', {
      a: xHandle,
      b: data(512 * ins, 11),
      m: rows,
      k: ins,
      n: 512,
    });
    // 4096 x 256 x 512 splits over the pool when it has threads (a host result): only then was the handle read back.
    expect(xHandle.downloaded !== undefined).toBe(!isDeviceTensor(wide.out));
    for (const h of [xHandle, g.out.weights, g.out.biases, wide.out]) if (isDeviceTensor(h)) h.dispose();
  });

  it('a host backend has no handles: webasm runs resident calls on host arrays', async () => {
    const webasm = await openBackend('webasm');
    try {
      expect(webasm.resident).toBe(false);
      const r = await webasm.runResident('matmul-a-bt', { a: x, b: w1, m, k, n: h });
      expect(isDeviceTensor(r.out)).toBe(false);
    } finally {
      await webasm.dispose();
    }
  });
});

describe('runtime on tfjs-wasm with residency on and off', () => {
  const batch = {
    x: Float64Array.from(data(16 * 12, 7)),
    labels: Int32Array.from({ length: 16 }, (_, i) => i % 4),
    samples: 16,
  };
  const make = (resident: boolean, method: 'alr' | 'bp') =>
    Runtime.create({
      network: stepSource(mlp([12, 9, 4])),
      backend: 'tfjs-wasm',
      seed: 3,
      resident,
      method: methodOptions(method, 4),
      optimizer: sgdMomentum,
    });

  it('alr: same losses and weights resident or not (its state stays on the host: tfjs-wasm draws noise there), and no TF.js tensor outlives a step', async () => {
    const tf = await loadTfjs();
    const on = await make(true, 'alr');
    const off = await make(false, 'alr');
    try {
      expect(on.resolved.resident).toBe(true);
      expect(off.resolved.resident).toBe(false);
      expect(on.residency()).toEqual({
        resident: false,
        reason: expect.stringMatching(/^node .* draws or reads noise, which tfjs-wasm draws on the host/),
      });
      const counts: number[] = [];
      for (let step = 0; step < 3; step++) {
        const a = await on.trainStep(batch, step, 0.05);
        counts.push(tf.memory().numTensors);
        const b = await off.trainStep(batch, step, 0.05);
        // The same TF.js ops on the same float32 inputs: residency moves data, it does not change a value.
        expect(a.meanLoss).toBe(b.meanLoss);
      }
      expect(on.params['fc1']!.weights).toEqual(off.params['fc1']!.weights);
      expect(new Set(counts).size).toBe(1);
      await on.evaluate(Float32Array.from(batch.x), Uint8Array.from(batch.labels), 16, 8);
      expect(tf.memory().numTensors).toBe(counts[0]);
    } finally {
      await on.dispose();
      await off.dispose();
    }
  });

  it('bp: the state stays in TF.js between steps; losses and weights those of residency off to float32 rounding; no tensor leaks', async () => {
    const tf = await loadTfjs();
    const before = tf.memory().numTensors;
    const on = await make(true, 'bp');
    const off = await make(false, 'bp');
    try {
      expect(on.residency()).toEqual({ resident: true });
      const counts: number[] = [];
      for (let step = 0; step < 3; step++) {
        const a = await on.trainStep(batch, step, 0.05);
        counts.push(tf.memory().numTensors);
        const b = await off.trainStep(batch, step, 0.05);
        // SGD and the loss sum run in TF.js float32 where residency off rounds once from float64.
        expect(Math.abs(a.meanLoss - b.meanLoss) / b.meanLoss).toBeLessThan(1e-6);
      }
      // The held state: 2 layers' parameters and velocities, and the run's constants.
      expect(counts[0]! - before).toBeGreaterThanOrEqual(4);
      expect(() => on.params).toThrow(/syncHost/);
      await on.syncHost();
      const [w, want] = [on.params['fc1']!.weights, off.params['fc1']!.weights];
      const worst = Math.max(...Array.from(want, (v, i) => Math.abs(w[i]! - v)));
      expect(worst).toBeLessThan(1e-6);
      expect(worst).toBeGreaterThan(0);
      expect(new Set(counts).size).toBe(1);
      await on.evaluate(Float32Array.from(batch.x), Uint8Array.from(batch.labels), 16, 8);
      expect(tf.memory().numTensors).toBe(counts[0]);
    } finally {
      await on.dispose();
      await off.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

it('ALRFLOW_RESIDENT: on by default, off when set to off, any other value refused', () => {
  expect(residentDefault({})).toBe(true);
  expect(residentDefault({ ALRFLOW_RESIDENT: 'on' })).toBe(true);
  expect(residentDefault({ ALRFLOW_RESIDENT: 'off' })).toBe(false);
  expect(() => residentDefault({ ALRFLOW_RESIDENT: 'false' })).toThrow(ConfigError);
});
