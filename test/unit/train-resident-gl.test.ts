// Resident training steps on headless-gl (under xvfb-run in CI; skipped with the reason where it
// cannot run): parameters, optimizer state, gradients, error signals and ALR's sign words stay on
// the device, so a step reads back one array: each Loss node's sum and each updated parameter
// buffer's count of non-finite values. The losses and parameters equal a run with residency off
// (every kernel on host arrays) within float32 rounding; an update that makes a parameter
// non-finite is dropped and the run counts as diverged.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectBackend } from '../../kernels/backends.js';
import { stepSource } from '../../src/compiler/step-source.js';
import { mlp } from '../../src/models/builders.js';
import { loadHwModel } from '../../src/hw/load.js';
import { hostTransfers } from '../../src/ir/host-transfers.js';
import { learnedSigmaSwitches } from '../../src/ir/method-rules.js';
import { Runtime } from '../../src/train/runtime/runtime.js';
import { train } from '../../src/train/train.js';
import { defaultTrainConfig } from '../../src/train/train-config.js';
import { silent } from '../fixtures/train-short-runs.js';
import { stepTransfers } from '../fixtures/step-transfers.js';

const status = await detectBackend('headlessgl');
if (!status.works) console.log(`train-resident-gl: headlessgl skipped: ${status.reason}`);

const METHODS = ['bp', 'alr', 'lr'] as const;

/** What a run adds to the plain sequential step: a layer-pipelined schedule, learned sigma. */
interface RunVariant {
  schedule?: { microBatches: number; staleness: 0 | 1 };
  learnSigma?: { lr: number; min: number };
}

const make = (
  method: (typeof METHODS)[number],
  resident: boolean,
  optimizer: 'sgd' | 'adam',
  variant: RunVariant = {},
) =>
  Runtime.create({
    network: stepSource(mlp([12, 40, 3])),
    backend: 'headlessgl',
    seed: 5,
    resident,
    method: {
      method,
      copies: 8,
      sigma: 0.1,
      baseline: 'mean',
      encoding: 'sign-noise',
      antithetic: false,
      layerwise: false,
      ...(variant.learnSigma ? { learnSigma: variant.learnSigma } : {}),
    },
    optimizer: { kind: optimizer, momentum: 0.9, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
    ...(variant.schedule
      ? {
          schedule: {
            kind: 'layer-pipelined' as const,
            batch: 16,
            ...variant.schedule,
            hw: loadHwModel('multicore-16'),
          },
        }
      : {}),
  });

const batch = {
  x: Float64Array.from({ length: 16 * 12 }, (_, i) => Math.sin(0.7 * i)),
  labels: Int32Array.from({ length: 16 }, (_, i) => i % 3),
  samples: 16,
};

function maxRelative(a: Float64Array, b: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(1e-3, Math.abs(b[i]!)));
  return worst;
}

/** The resident run's saved state (synced to the host) has the host run's arrays, each within 1e-3. */
async function expectStateAsOff(on: Runtime, off: Runtime): Promise<Record<string, Float64Array>> {
  await on.syncHost();
  const saved = on.exportState().arrays;
  const want = off.exportState().arrays;
  expect(Object.keys(saved).sort()).toEqual(Object.keys(want).sort());
  for (const key of Object.keys(want)) expect(maxRelative(saved[key]!, want[key]!)).toBeLessThanOrEqual(1e-3);
  return saved;
}

/** A runtime resumed from `saved` takes the next step bit for bit as `on`, the run that went on. */
async function expectResumedAsOn(
  resumed: Runtime,
  on: Runtime,
  saved: Record<string, Float64Array>,
  step: (rt: Runtime) => Promise<{ meanLoss: number }>,
): Promise<void> {
  try {
    resumed.importState(saved, on.exportState().optimizerUpdates);
    const next = await step(resumed);
    expect(next.meanLoss).toBe((await step(on)).meanLoss);
    await resumed.syncHost();
    await on.syncHost();
    expect(resumed.exportState().arrays).toEqual(on.exportState().arrays);
  } finally {
    await resumed.dispose();
  }
}

describe.skipIf(!status.works)('device operations on headlessgl', () => {
  it('count non-finite values exactly, sum in blocks, slice, join and repeat rows on the device', async () => {
    const { GpujsContext } = await import('../../kernels/gpujs/gpujs-context.js');
    const { gpujsDeviceOps } = await import('../../kernels/gpujs/gpujs-device-ops.js');
    const ctx = new GpujsContext('headlessgl');
    const ops = gpujsDeviceOps(ctx);
    const read = async (h: Promise<{ download(): Promise<Float32Array> }>) => Array.from(await (await h).download());
    try {
      const n = 70_001;
      const x = Float32Array.from({ length: n }, (_, i) => (i % 7) - 3);
      x[5] = NaN;
      x[60_000] = Infinity;
      x[70_000] = -Infinity;
      x[123] = 3.1e38;
      expect(await read(ops.nonFinite(x))).toEqual([4]);
      const finite = Float32Array.from({ length: n }, (_, i) => (i % 7) - 3 + 0.5);
      expect(await read(ops.nonFinite(finite))).toEqual([0]);
      // (i % 7) - 3 sums to 0 over each 7; n = 7 * 10000 + 1, the last value is -3; plus 0.5 each.
      expect(await read(ops.sum(finite))).toEqual([-3 + 0.5 * n]);
      expect(await read(ops.slice(Float32Array.of(1, 2, 3, 4, 5), 1, 3))).toEqual([2, 3, 4]);
      expect(await read(ops.concat([Float32Array.of(1), Float32Array.of(2, 3), Float32Array.of(4)]))).toEqual([
        1, 2, 3, 4,
      ]);
      expect(await read(ops.repeatRows(Float32Array.of(1, 2, 3, 4), 2, 3))).toEqual([
        1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4,
      ]);
    } finally {
      await ctx.destroy();
    }
  });

  it('form the ALR error signal from device sign words as the reference does from host sign words', async () => {
    const { GpujsContext } = await import('../../kernels/gpujs/gpujs-context.js');
    const { gpujsDeviceOps } = await import('../../kernels/gpujs/gpujs-device-ops.js');
    const { noiseSigns } = await import('../../kernels/gpujs/noise-signs.js');
    const { errorSignal, signUnpack } = await import('../../kernels/reference/index.js');
    const ctx = new GpujsContext('headlessgl');
    try {
      const dims = { rows: 6, channels: 5, spatial: 7 };
      const counters = { ...dims, seed: 3, step: 2, layer: 1, rowOffset: 4 };
      const loss = Float64Array.from({ length: dims.rows }, (_, r) => r - 2.5);
      const sigma = Float64Array.from({ length: dims.channels }, (_, c) => 0.1 + 0.05 * c);
      const ops = gpujsDeviceOps(ctx);
      const signs = await ops.signWords(counters);
      const got = await (await ops.signErrorSignal({ signs, loss, sigma, ...dims, scale: 1.25 })).download();
      const words = await noiseSigns(ctx, counters);
      const want = errorSignal(loss, signUnpack(words, signs.count), sigma, dims, 1.25);
      for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i]!, 5);
    } finally {
      await ctx.destroy();
    }
  });
});

describe.skipIf(!status.works)('resident steps on headlessgl', () => {
  it('staleness 1: the gradient the next step applies stays on the device; losses and the saved state as with residency off', async () => {
    const stale = (resident: boolean) => make('alr', resident, 'sgd', { schedule: { microBatches: 1, staleness: 1 } });
    const on = await stale(true);
    const off = await stale(false);
    try {
      expect(on.residency()).toEqual({ resident: true });
      for (let step = 0; step < 4; step++) {
        const t = await stepTransfers(on, () => on.trainStep(batch, step, 0.05));
        // Step 0 applies nothing (its gradient waits on the device): the loss alone; later the loss and 2 counts.
        expect(t.downloads).toEqual({
          count: 1,
          bytes: step === 0 ? 4 : 12,
        });
        // Up: the batch and the labels; on step 0 the parameters too (fc1, fc2), kept for the first update.
        expect(t.uploads.count).toBe(step === 0 ? 4 : 2);
        const b = await off.trainStep(batch, step, 0.05);
        expect(Math.abs(t.loss - b.meanLoss)).toBeLessThanOrEqual(1e-5 * Math.abs(b.meanLoss));
      }
      const saved = await expectStateAsOff(on, off);
      // A run resumed from that state takes the next step bit for bit as the run that went on.
      await expectResumedAsOn(await stale(true), on, saved, (rt) => rt.trainStep(batch, 4, 0.05));
    } finally {
      await on.dispose();
      await off.dispose();
    }
  }, 60_000);

  for (const staleness of [0, 1] as const)
    it(`micro-batched (layer-pipelined, M=4, staleness ${staleness}): each micro-batch runs on the device and their gradients are summed there; losses and the saved state as with residency off`, async () => {
      const micro = (resident: boolean) => make('alr', resident, 'sgd', { schedule: { microBatches: 4, staleness } });
      const on = await micro(true);
      const off = await micro(false);
      try {
        expect(on.residency()).toEqual({ resident: true });
        const graph = stepSource(mlp([12, 40, 3])).compile(loadHwModel('multicore-16'), {
          method: 'alr',
          copies: 8,
          batch: 16,
          schedule: 'layer-pipelined',
          microBatches: 4,
          staleness,
        }).graph;
        const declared = hostTransfers(graph);
        expect(declared.fallback).toBeUndefined();
        for (let step = 0; step < 4; step++) {
          const t = await stepTransfers(on, () => on.trainStep(batch, step, 0.05));
          // One readback: the loss over the whole batch, then a non-finite count per update (none on a
          // staleness-1 run's first step, which applies nothing).
          const applies = staleness === 0 || step > 0;
          expect(t.downloads).toEqual(applies ? declared.downloads : { count: 1, bytes: 4 });
          // Up: the batch and the labels once (the micro-batches slice them on the device); on step 0 the
          // parameters too (fc1, fc2), once for all micro-batches (a staleness-1 run keeps them for its first update).
          expect(t.uploads.count).toBe(step === 0 ? 4 : 2);
          if (step > 0) expect(t.uploads.bytes).toBe(16 * 12 * 4 + 16 * 4);
          const b = await off.trainStep(batch, step, 0.05);
          expect(Math.abs(t.loss - b.meanLoss)).toBeLessThanOrEqual(1e-5 * Math.abs(b.meanLoss));
        }
        await expectStateAsOff(on, off);
      } finally {
        await on.dispose();
        await off.dispose();
      }
    }, 60_000);

  for (const method of METHODS)
    for (const optimizer of ['sgd', 'adam'] as const)
      it(`${method} ${optimizer}: one readback per step (the loss and the update's finiteness), losses and parameters as with residency off`, async () => {
        const on = await make(method, true, optimizer);
        const off = await make(method, false, optimizer);
        try {
          for (let step = 0; step < 4; step++) {
            const t = await stepTransfers(on, () => on.trainStep(batch, step, 0.05));
            // One Loss node and two updated parameter buffers (fc1, fc2): 3 floats.
            expect(t.downloads).toEqual({
              count: 1,
              bytes: 12,
            });
            const b = await off.trainStep(batch, step, 0.05);
            expect(Math.abs(t.loss - b.meanLoss)).toBeLessThanOrEqual(1e-5 * Math.abs(b.meanLoss));
          }
          await on.syncHost();
          // Adam divides by sqrt(v): where a gradient is near zero, float32 rounding of it moves the step more.
          const tolerance = optimizer === 'adam' ? 1e-3 : 1e-4;
          for (const layer of ['fc1', 'fc2']) {
            expect(maxRelative(on.params[layer]!.weights, off.params[layer]!.weights)).toBeLessThanOrEqual(tolerance);
            expect(maxRelative(on.params[layer]!.biases, off.params[layer]!.biases)).toBeLessThanOrEqual(tolerance);
          }
          expect(on.exportState().arrays['optim.fc1']!.length).toBe(off.exportState().arrays['optim.fc1']!.length);
          const evalOn = await on.evaluate(Float32Array.from(batch.x), Uint8Array.from(batch.labels), 16, 8);
          const evalOff = await off.evaluate(Float32Array.from(batch.x), Uint8Array.from(batch.labels), 16, 8);
          expect(evalOn.accuracy).toBe(evalOff.accuracy);
          expect(Math.abs(evalOn.loss - evalOff.loss)).toBeLessThanOrEqual(1e-4 * evalOff.loss);
        } finally {
          await on.dispose();
          await off.dispose();
        }
      }, 60_000);

  it('an update that makes parameters non-finite is dropped on the device check: the loss is finite, the run is not, the state is the last good one', async () => {
    const rt = await make('bp', true, 'sgd');
    try {
      await rt.trainStep(batch, 0, 0.05);
      await rt.syncHost();
      const good = Float64Array.from(rt.params['fc1']!.weights);
      // 1e39 is a float64 but no float32: the update's rate is infinite on the device.
      const r = await rt.trainStep(batch, 1, 1e39);
      expect(Number.isFinite(r.meanLoss)).toBe(true);
      expect(rt.finite()).toBe(false);
      await rt.syncHost();
      expect(rt.params['fc1']!.weights).toEqual(good);
    } finally {
      await rt.dispose();
    }
  });

  it('train --profile: a profiled MLP step reads back 1 array of 12 bytes (the loss and the finiteness check), evaluations not counted', async () => {
    const summary = await train(
      {
        ...defaultTrainConfig,
        model: 'mlp',
        dataset: 'iris',
        method: 'alr',
        copies: 8,
        batch: 16,
        epochs: 2,
        backend: 'headlessgl',
        hidden: [16],
      },
      {
        outDir: join(mkdtempSync(join(tmpdir(), 'alrflow-resident-')), 'run'),
        resume: false,
        force: false,
        progress: silent,
        profile: true,
      },
    );
    expect(summary.status).toBe('completed');
    expect(summary.profile!.steps).toBe(13);
    expect(summary.profile!.transfers!.downloads).toEqual({ count: 1, bytes: 12 });
    // Up: the batch and the labels, once each per step (the last batch of an epoch is smaller, so only the count is fixed).
    expect(summary.profile!.transfers!.uploads.count).toBe(2);
    expect(summary.profile!.residency).toEqual({ resident: true });
    // The simulator's model of the same step reads the same readback off the step graph.
    const graph = stepSource(mlp([4, 16, 3])).stepGraph({
      method: 'alr',
      copies: 8,
      batch: 16,
      schedule: 'sequential',
    });
    expect(hostTransfers(graph).downloads).toEqual(summary.profile!.transfers!.downloads);
    // Up: the batch once (16 x 4 floats) and the labels (16 ints).
    expect(hostTransfers(graph).uploads).toEqual({ count: 2, bytes: 16 * 4 * 4 + 16 * 4 });
  }, 60_000);
  for (const method of ['alr', 'lr'] as const)
    it(`${method} learned sigma: 3 transfers per step, sigma's gradient and update on the device, losses and state as with residency off`, async () => {
      const sigmaRun = (resident: boolean) => make(method, resident, 'adam', { learnSigma: { lr: 0.02, min: 0.09 } });
      const on = await sigmaRun(true);
      const off = await sigmaRun(false);
      try {
        expect(on.residency()).toEqual({ resident: true });
        for (let step = 0; step < 4; step++) {
          const t = await stepTransfers(on, () => on.trainStep(batch, step, 0.05, 0.02));
          // Up: the batch and the labels (step 0: the parameters and sigma of fc1 and fc2 too).
          expect(t.uploads.count).toBe(step === 0 ? 6 : 2);
          // Down: one loss sum and the non-finite counts of 2 parameter buffers, 2 sigmas and their 2 Adam states.
          expect(t.downloads).toEqual({ count: 1, bytes: 4 * 7 });
          const b = await off.trainStep(batch, step, 0.05, 0.02);
          expect(Math.abs(t.loss - b.meanLoss)).toBeLessThanOrEqual(1e-5 * Math.abs(b.meanLoss));
        }
        const saved = await expectStateAsOff(on, off);
        // The floor (0.09) holds on the device: sigma moved, and no value is below it.
        const sigmas = [...saved['sigma.fc1']!, ...saved['sigma.fc2']!];
        expect(Math.min(...sigmas)).toBeGreaterThanOrEqual(0.09 - 1e-7);
        expect(sigmas.some((v) => Math.abs(v - 0.1) > 1e-4)).toBe(true);
      } finally {
        await on.dispose();
        await off.dispose();
      }
    }, 60_000);

  for (const [microBatches, staleness] of [
    [1, 1],
    [4, 0],
    [4, 1],
  ] as const)
    it(`learned sigma, layer-pipelined M=${microBatches}, staleness ${staleness}: sigma gradients summed and held on the device; transfers as simulate declares, losses and state as with residency off`, async () => {
      const learnSigma = { lr: 0.02, min: 0.09 };
      const run = (resident: boolean) =>
        make('alr', resident, 'adam', { schedule: { microBatches, staleness }, learnSigma });
      const on = await run(true);
      const off = await run(false);
      try {
        expect(on.residency()).toEqual({ resident: true });
        const declared = hostTransfers(
          stepSource(mlp([12, 40, 3])).compile(loadHwModel('multicore-16'), {
            method: 'alr',
            copies: 8,
            batch: 16,
            schedule: 'layer-pipelined',
            microBatches,
            staleness,
            optimizer: 'adam',
            ...learnedSigmaSwitches(true),
          }).graph,
        );
        expect(declared.fallback).toBeUndefined();
        // One loss sum and the non-finite counts of 2 parameter buffers, 2 sigmas and their 2 Adam states.
        expect(declared.downloads).toEqual({ count: 1, bytes: 4 * 7 });
        for (let step = 0; step < 4; step++) {
          const t = await stepTransfers(on, () => on.trainStep(batch, step, 0.05, 0.02));
          // A staleness-1 run's first step applies nothing: its readback is the loss alone.
          const applies = staleness === 0 || step > 0;
          expect(t.downloads).toEqual(applies ? declared.downloads : { count: 1, bytes: 4 });
          // Up: the batch and the labels; on step 0 the parameters and sigma of fc1 and fc2 too.
          const uploads = t.uploads.count;
          expect(uploads).toBe(step === 0 ? 6 : declared.uploads.count);
          if (step > 0) expect(t.uploads.bytes).toBe(declared.uploads.bytes);
          const b = await off.trainStep(batch, step, 0.05, 0.02);
          expect(Math.abs(t.loss - b.meanLoss)).toBeLessThanOrEqual(1e-5 * Math.abs(b.meanLoss));
        }
        const saved = await expectStateAsOff(on, off);
        expect(Object.keys(saved).filter((k) => k.startsWith('pending-sigma.')).length).toBe(staleness === 1 ? 2 : 0);
        const sigmas = [...saved['sigma.fc1']!, ...saved['sigma.fc2']!];
        expect(sigmas.some((v) => Math.abs(v - 0.1) > 1e-4)).toBe(true);
        if (staleness === 0) return;
        // A run resumed from that state (its pending sigma gradients uploaded once) takes the next step bit for bit.
        await expectResumedAsOn(await run(true), on, saved, (rt) => rt.trainStep(batch, 4, 0.05, 0.02));
      } finally {
        await on.dispose();
        await off.dispose();
      }
    }, 90_000);

  const profiled = async (variant: Partial<typeof defaultTrainConfig> & { method?: 'alr' | 'es' | 'aes' }) => {
    const config = {
      ...defaultTrainConfig,
      model: 'mlp',
      dataset: 'iris',
      method: 'alr' as 'alr' | 'es' | 'aes',
      copies: 8,
    };
    const summary = await train(
      { ...config, batch: 16, epochs: 1, backend: 'headlessgl', hidden: [16], ...variant },
      {
        outDir: join(mkdtempSync(join(tmpdir(), 'alrflow-fallback-')), 'run'),
        resume: false,
        force: false,
        progress: silent,
        profile: true,
      },
    );
    const graph = stepSource(mlp([4, 16, 3])).compile(loadHwModel('multicore-16'), {
      method: variant.method ?? 'alr',
      copies: 8,
      batch: 16,
      schedule: variant.stepSchedule ?? 'sequential',
      // train's optimizer (SGD with momentum): learned sigma's velocity is checked with it.
      optimizer: defaultTrainConfig.optimizer,
      momentum: defaultTrainConfig.momentum,
      ...(variant.microBatches === undefined ? {} : { microBatches: variant.microBatches }),
      ...(variant.staleness === undefined ? {} : { staleness: variant.staleness }),
      ...learnedSigmaSwitches(variant.learnSigma === true),
    }).graph;
    return { profile: summary.profile!, declared: hostTransfers(graph) };
  };

  for (const method of ['es', 'aes'] as const)
    it(`train --profile: a ${method} step is resident and moves what simulate counts`, async () => {
      const { profile, declared } = await profiled({ method });
      expect(declared.fallback).toBeUndefined();
      expect(profile.residency).toEqual({ resident: true });
      expect(profile.transfers!.downloads).toEqual(declared.downloads);
      // Up: the batch and the labels, once each per step (the last batch of an epoch is smaller, so only the count is fixed).
      expect(profile.transfers!.uploads.count).toBe(declared.uploads.count);
    }, 120_000);

  it('train --profile: a learned-sigma step is resident, 3 transfers per step, the readback simulate declares', async () => {
    const { profile, declared } = await profiled({ learnSigma: true });
    expect(declared.fallback).toBeUndefined();
    expect(profile.residency).toEqual({ resident: true });
    expect(profile.transfers!.count).toBe(3);
    expect(profile.transfers!.downloads).toEqual(declared.downloads);
  }, 120_000);

  it('train --profile: a learned-sigma, micro-batched (M=4), staleness-1 step is resident and moves what simulate declares', async () => {
    const { profile, declared } = await profiled({
      learnSigma: true,
      stepSchedule: 'layer-pipelined',
      microBatches: 4,
      staleness: 1,
    });
    expect(declared.fallback).toBeUndefined();
    expect(profile.residency).toEqual({ resident: true });
    expect(profile.transfers!.downloads).toEqual(declared.downloads);
    // Up: the batch and the labels per step (step 0, which uploads the parameters and sigmas and keeps
    // them for the first update, is not profiled).
    expect(profile.transfers!.uploads.count).toBe(declared.uploads.count);
  }, 120_000);

  it('train --profile: a micro-batched (M=4) step is resident and moves what simulate declares', async () => {
    const { profile, declared } = await profiled({ stepSchedule: 'layer-pipelined', microBatches: 4 });
    expect(declared.fallback).toBeUndefined();
    expect(profile.residency).toEqual({ resident: true });
    expect(profile.transfers!.downloads).toEqual(declared.downloads);
    // Up: the batch and the labels, once each per step (the last batch of an epoch is smaller, so only the count is fixed).
    expect(profile.transfers!.uploads.count).toBe(declared.uploads.count);
  }, 120_000);
});
