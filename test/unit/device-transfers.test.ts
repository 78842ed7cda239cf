// Host <-> device transfer counting (kernels/device-transfers.ts): host arrays a call reads are
// uploads, results read back are downloads, scalars and device handles are neither; per-step
// figures are differences over the profiled steps. On headless-gl (under Xvfb) a resident chain
// uploads its host inputs once and downloads only what is read back.
import { describe, expect, it } from 'vitest';
import { detectBackend } from '../../kernels/backends.js';
import { TransferCounter, transfersPerStep } from '../../kernels/device-transfers.js';
import { GpujsContext } from '../../kernels/gpujs/gpujs-context.js';
import { gpujsResidentTable } from '../../kernels/gpujs/gpujs-table.js';
import { isDeviceTensor } from '../../kernels/device-tensor.js';

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
