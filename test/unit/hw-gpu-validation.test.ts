// The GPU models against measurements: on h100-like a BP step of one 8192x8192 bf16 linear layer at
// batch 8192 achieves 2 x work.macsPerIteration x iterations/s within 15% of the 790 TFLOP/s an
// H100 80GB HBM3 measured on an 8192^3 bf16 matrix product, and a device copy within 15% of the
// ~3.0 TB/s (read + written) it measured; neither model exceeds its datasheet peak.
import { describe, expect, test } from 'vitest';
import { copyTbPerSecond, gemmTflops } from '../../sim/validate-gpu.js';
import { loadHwModel } from '../../src/hw/load.js';
import { peakMacsPerCycle } from '../../src/hw/timing/unit-timing.js';

const peakTflops = (name: string) => {
  const hw = loadHwModel(name);
  return (2 * peakMacsPerCycle(hw) * hw.clockHz) / 1e12;
};

describe('GPU models against measured numbers', () => {
  test('h100-like: BP step of an 8192x8192 layer at batch 8192 within 15% of 790 TFLOP/s', async () => {
    const tflops = await gemmTflops('h100-like');
    expect(Math.abs(tflops - 790) / 790).toBeLessThanOrEqual(0.15);
    expect(tflops).toBeLessThanOrEqual(peakTflops('h100-like'));
    expect(peakTflops('h100-like')).toBeCloseTo(989.5, 0);
  });

  test('h100-like: a device copy within 15% of 3.0 TB/s (read + written)', () => {
    const tbs = copyTbPerSecond(loadHwModel('h100-like'), 2 ** 30);
    expect(Math.abs(tbs - 3.0) / 3.0).toBeLessThanOrEqual(0.15);
  });

  test('a100-like: the same GEMM stays under its 312 TFLOP/s peak and above half of it', async () => {
    const tflops = await gemmTflops('a100-like');
    expect(peakTflops('a100-like')).toBeCloseTo(311.9, 0);
    expect(tflops).toBeLessThanOrEqual(peakTflops('a100-like'));
    expect(tflops).toBeGreaterThan(0.5 * peakTflops('a100-like'));
  });
});
