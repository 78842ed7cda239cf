// Host <-> device transfer counting (kernels/device-transfers.ts): host arrays a call reads are
// uploads, results read back are downloads, scalars and device handles are neither; per-step
// figures are differences over the profiled steps. On headless-gl (under Xvfb) a resident chain
// uploads its host inputs once and downloads only what is read back.
import { describe, expect, it } from 'vitest';
import { detectBackend } from '../../kernels/backends.js';
import { TransferCounter, transfersPerStep } from '../../kernels/device-transfers.js';
import { GpujsContext } from '../../kernels/gpujs/gpujs-context.js';
import { gpujsResidentTable } from '../../kernels/gpujs/gpujs-table.js';
import { type DeviceTensor, isDeviceTensor } from '../../kernels/device-tensor.js';
import { stepSource } from '../../src/compiler/step-source.js';

describe('device transfers', () => {
  it('counts typed-array arguments as uploads, not scalars or other objects; per step is the difference over steps', () => {
    const c = new TransferCounter();
    const start = c.snapshot();
    c.uploadArgs([new Float32Array(10), 3, { native: 1 }, new Int32Array(2)]);
    c.download(400);
    expect(c.snapshot()).toEqual({ uploads: { count: 2, bytes: 48 }, downloads: { count: 1, bytes: 400 } });
    expect(transfersPerStep(start, c.snapshot(), 2)).toEqual({
      uploads: { count: 1, bytes: 24 },
      downloads: { count: 0.5, bytes: 200 },
    });
  });

  it('host gpu.js modes count nothing (host memory is their device)', () => {
    expect(new GpujsContext('webasm').transfers).toBeUndefined();
    expect(new GpujsContext('cpu').transfers).toBeUndefined();
  });

  it('headlessgl: a resident matmul -> bias-activation chain uploads its 3 host inputs and downloads once, when read', async (t) => {
    const status = await detectBackend('headlessgl');
    if (!status.works) t.skip(`headlessgl: ${status.reason}`);
    const ctx = new GpujsContext('headlessgl');
    const resident = gpujsResidentTable(ctx);
    const z = await resident['matmul-a-bt']!({
      a: new Float32Array(6).fill(1),
      b: new Float32Array(6).fill(2),
      m: 2,
      k: 3,
      n: 2,
    });
    const out = await resident['bias-activation']!({
      z,
      bias: Float32Array.of(1, -20),
      rows: 2,
      channels: 2,
      spatial: 1,
      activation: 'relu',
    });
    expect(isDeviceTensor(out)).toBe(true);
    expect(ctx.transfers!.snapshot()).toEqual({ uploads: { count: 3, bytes: 56 }, downloads: { count: 0, bytes: 0 } });
    if (isDeviceTensor(out)) expect(Array.from(await out.download())).toEqual([7, 0, 7, 0]);
    expect(ctx.transfers!.snapshot().downloads).toEqual({ count: 1, bytes: 16 });
    await ctx.destroy();
  });
});

describe('headlessgl ALR step', () => {
  it('the fused noise keeps its sign words on the device (16 signs per float); the step reads back only its 12-byte status', async (t) => {
    const status = await detectBackend('headlessgl');
    if (!status.works) t.skip(`headlessgl: ${status.reason}`);
    const { Runtime } = await import('../../src/train/runtime/runtime.js');
    const { mlp } = await import('../../src/models/builders.js');
    const method = {
      method: 'alr',
      copies: 8,
      sigma: 0.1,
      baseline: 'mean',
      encoding: 'sign-noise',
      antithetic: false,
      layerwise: false,
    } as const;
    const optimizer = { kind: 'sgd', momentum: 0.9, beta1: 0.9, beta2: 0.999, eps: 1e-8 } as const;
    const runtime = await Runtime.create({
      network: stepSource(mlp([12, 40, 3])),
      backend: 'headlessgl',
      seed: 1,
      method,
      optimizer,
    });
    const ops = runtime.resolved.ops!;
    const signWords = ops.signWords;
    const seen: { onDevice: boolean; halves: number; count: number }[] = [];
    ops.signWords = async (args) => {
      const out = await signWords(args);
      seen.push({ onDevice: isDeviceTensor(out.halves), halves: out.halves.length, count: out.count });
      return out;
    };
    const x = Float64Array.from({ length: 4 * 12 }, (_, i) => Math.sin(i));
    const before = runtime.deviceTransfers()!.downloads;
    await runtime.trainStep({ x, labels: Int32Array.of(0, 1, 2, 1), samples: 4 }, 0, 0.01);
    const after = runtime.deviceTransfers()!.downloads;
    await runtime.dispose();
    // Layer 1: 4 samples x 8 copies x 40 units = 1280 signs = 40 words = 80 half-words; layer 2: 96 signs = 3 words.
    expect(seen).toEqual([
      { onDevice: true, halves: 80, count: 1280 },
      { onDevice: true, halves: 6, count: 96 },
    ]);
    // The loss sum and the two updated buffers' non-finite counts.
    expect({ count: after.count - before.count, bytes: after.bytes - before.bytes }).toEqual({ count: 1, bytes: 12 });
  });
});

describe('headlessgl tiles', () => {
  it('a resident matmul over the texture size runs as tiles: a handle whose values match, counted as one download per tile', async (t) => {
    const status = await detectBackend('headlessgl');
    if (!status.works) t.skip(`headlessgl: ${status.reason}`);
    const ctx = new GpujsContext('headlessgl');
    const m = 16385;
    const a = Float32Array.from({ length: m * 2 }, (_, i) => (i % 7) - 3);
    const out = await gpujsResidentTable(ctx)['matmul-a-bt']!({ a, b: Float32Array.of(1, 2, 3, 4), m, k: 2, n: 2 });
    expect(isDeviceTensor(out)).toBe(true);
    expect(ctx.takeTiles()).toBe(2);
    expect(ctx.transfers!.snapshot().downloads).toEqual({ count: 2, bytes: 4 * 2 * m });
    const values = isDeviceTensor(out) ? await out.download() : new Float32Array(0);
    const row = (r: number): number[] => [a[2 * r]! * 1 + a[2 * r + 1]! * 2, a[2 * r]! * 3 + a[2 * r + 1]! * 4];
    for (const r of [0, 1, 16383, 16384]) expect(Array.from(values.subarray(2 * r, 2 * r + 2))).toEqual(row(r));
    await ctx.destroy();
  });
});

describe('headlessgl argument kinds', () => {
  it('one kernel shape called with a host array, a 2-D texture and a 3-D texture in turn gives the right values each time', async (t) => {
    const status = await detectBackend('headlessgl');
    if (!status.works) t.skip(`headlessgl: ${status.reason}`);
    const ctx = new GpujsContext('headlessgl');
    const resident = gpujsResidentTable(ctx);
    const bias = Float32Array.of(0, 10, 20);
    const act = async (z: Float32Array | DeviceTensor): Promise<number[]> => {
      const out = await resident['bias-activation']!({ z, bias, rows: 2, channels: 3, spatial: 1, activation: 'none' });
      return Array.from(isDeviceTensor(out) ? await out.download() : (out as Float32Array));
    };
    const host = Float32Array.of(1, 2, 3, 4, 5, 6);
    const flat = await resident['matmul-a-bt']!({ a: host, b: Float32Array.of(1), m: 6, k: 1, n: 1 });
    const noise = {
      sigma: new Float32Array(3),
      rows: 2,
      channels: 3,
      spatial: 1,
      seed: 1,
      step: 0,
      layer: 0,
      rowOffset: 0,
    };
    const cube = await resident['noise-inject']!({ ...noise, z: host });
    const want = [1, 12, 23, 4, 15, 26];
    for (const z of [host, flat, cube, host, cube, flat])
      expect(await act(z as Float32Array | DeviceTensor)).toEqual(want);
    await ctx.destroy();
  });
});
