// Resident conv, pool, batch-norm and token steps on headless-gl (under xvfb-run in CI; skipped with
// the reason where it cannot run): a small CNN (conv, ReLU, max pool), ResNet-5 (batch norm, a residual
// add, average pool) and vit-tiny (patch tokens, class token, position table, LayerNorm, attention)
// keep parameters, optimizer state, activations, batch-norm statistics, noise and gradients on the
// device. From the second step on, a step uploads the batch and the labels once each
// and reads back one array (each Loss node's sum and each updated buffer's non-finite count), exactly
// the transfers the step graph declares (src/ir/host-transfers.ts, which simulate reports); its losses
// equal a run with residency off within float32 rounding.
import { describe, expect, it } from 'vitest';
import { detectBackend } from '../../kernels/backends.js';
import { stepSource } from '../../src/compiler/step-source.js';
import { hostTransfers } from '../../src/ir/host-transfers.js';
import { cnn, resnet5 } from '../../src/models/builders.js';
import { vitTiny } from '../../src/models/transformer-builders.js';
import { Runtime } from '../../src/train/runtime/runtime.js';
import { methodOptions } from '../fixtures/runtime-options.js';

const status = await detectBackend('headlessgl');
if (!status.works) console.log(`train-resident-conv-gl: headlessgl skipped: ${status.reason}`);

const NETWORKS = {
  cnn: () => cnn({ inputShape: [1, 8, 8], classes: 3 }),
  resnet5: () => resnet5({ inputShape: [1, 8, 8], classes: 3 }),
  'vit-tiny': () => vitTiny({ inputShape: [1, 14, 14], classes: 3 }),
};
const PIXELS = { cnn: 64, resnet5: 64, 'vit-tiny': 196 };
const CASES = [
  ['cnn', 'bp', 'sgd'],
  ['cnn', 'lr', 'adam'],
  ['cnn', 'alr', 'sgd'],
  ['resnet5', 'bp', 'adam'],
  ['resnet5', 'alr', 'sgd'],
  ['vit-tiny', 'bp', 'adam'],
  ['vit-tiny', 'alr', 'sgd'],
] as const;

const samples = 8;
const batchOf = (pixels: number) => ({
  x: Float64Array.from({ length: samples * pixels }, (_, i) => Math.sin(0.7 * i)),
  labels: Int32Array.from({ length: samples }, (_, i) => i % 3),
  samples,
});

const make = (network: keyof typeof NETWORKS, method: string, optimizer: 'sgd' | 'adam', resident: boolean) =>
  Runtime.create({
    network: stepSource(NETWORKS[network]()),
    backend: 'headlessgl',
    seed: 5,
    resident,
    method: methodOptions(method as 'bp', 4),
    optimizer: { kind: optimizer, momentum: 0.9, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
  });

describe.skipIf(!status.works)('resident conv and batch-norm steps on headlessgl', () => {
  it('one kernel shape reads textures of different sizes right (gpu.js bakes an argument texture size into its source)', async () => {
    const { GpujsContext } = await import('../../kernels/gpujs/gpujs-context.js');
    const { gpujsDeviceOps } = await import('../../kernels/gpujs/gpujs-device-ops.js');
    const ctx = new GpujsContext('headlessgl');
    const ops = gpujsDeviceOps(ctx);
    try {
      const long = await ops.slice(
        Float32Array.from({ length: 300 }, (_, i) => i),
        0,
        300,
      );
      const short = await ops.slice(
        Float32Array.from({ length: 8 }, (_, i) => 1000 + i),
        0,
        8,
      );
      // Both 4-value slices run one compiled slice kernel shape; the second reads a texture of another size.
      expect(Array.from(await (await ops.slice(long, 290, 4)).download())).toEqual([290, 291, 292, 293]);
      expect(Array.from(await (await ops.slice(short, 4, 4)).download())).toEqual([1004, 1005, 1006, 1007]);
    } finally {
      await ctx.destroy();
    }
  });

  for (const [network, method, optimizer] of CASES)
    it(`${network} ${method} ${optimizer}: the graph's transfers per step, losses as with residency off`, async () => {
      const on = await make(network, method, optimizer, true);
      const off = await make(network, method, optimizer, false);
      try {
        expect(on.residency()).toEqual({ resident: true });
        const declared = hostTransfers(
          stepSource(NETWORKS[network]()).stepGraph({ method, copies: 4, batch: samples, schedule: 'sequential' }),
        );
        // Up: the batch (8 images) and the labels (8 ints); down: one float per Loss node and per update.
        const batch = batchOf(PIXELS[network]);
        expect(declared.uploads).toEqual({ count: 2, bytes: samples * PIXELS[network] * 4 + samples * 4 });
        // Evaluations read the parameters where they are: on the host before the first step, on the device after.
        const evaluations = async () => {
          const features = Float32Array.from(batch.x);
          const labels = Uint8Array.from(batch.labels);
          const [a, b] = [
            await on.evaluate(features, labels, samples, 4),
            await off.evaluate(features, labels, samples, 4),
          ];
          expect(a.accuracy).toBe(b.accuracy);
          expect(Math.abs(a.loss - b.loss)).toBeLessThanOrEqual(1e-5 * b.loss);
        };
        await evaluations();
        for (let step = 0; step < 3; step++) {
          const before = on.deviceTransfers()!;
          const a = await on.trainStep(batch, step, 0.05);
          const after = on.deviceTransfers()!;
          // The first step also uploads the initial parameters (once per run).
          if (step > 0) {
            const moved = (d: 'uploads' | 'downloads') => ({
              count: after[d].count - before[d].count,
              bytes: after[d].bytes - before[d].bytes,
            });
            expect(moved('uploads')).toEqual(declared.uploads);
            expect(moved('downloads')).toEqual(declared.downloads);
          }
          const b = await off.trainStep(batch, step, 0.05);
          expect(on.finite()).toBe(true);
          // float32 on both sides; the statistics and gradient scalings differ only in rounding (measured <= 2e-6).
          expect(Math.abs(a.meanLoss - b.meanLoss)).toBeLessThanOrEqual(1e-5 * Math.abs(b.meanLoss));
        }
        await evaluations();
      } finally {
        await on.dispose();
        await off.dispose();
      }
    }, 120_000);
});
