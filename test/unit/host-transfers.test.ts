// The host <-> device transfers of a step, read off its graph (src/ir/host-transfers.ts): the batch
// and the labels up, one status array down (a float per Loss node and per parameter update); the
// simulator's report carries them for the same step.
import { describe, expect, it } from 'vitest';
import { stepSource } from '../../src/compiler/step-source.js';
import { hostTransfers } from '../../src/ir/host-transfers.js';
import { learnedSigmaSwitches } from '../../src/ir/method-rules.js';
import { cnn, mlp, resnet5 } from '../../src/models/builders.js';
import { vitTiny } from '../../src/models/transformer-builders.js';

describe('host transfers from the step graph', () => {
  const source = stepSource(mlp([784, 256, 128, 10]));
  for (const method of ['bp', 'alr'] as const)
    it(`${method}: the batch and labels up, one float per Loss node and per update down`, () => {
      const graph = source.stepGraph({ method, copies: 8, batch: 32, schedule: 'sequential' });
      expect(hostTransfers(graph)).toEqual({
        uploads: { count: 2, bytes: 32 * 784 * 4 + 32 * 4 },
        downloads: { count: 1, bytes: 4 * (1 + 3) },
        items: [
          { direction: 'upload', what: 'x', bytes: 32 * 784 * 4 },
          { direction: 'upload', what: 'labels', bytes: 32 * 4 },
          { direction: 'download', what: 'status: 1 loss sum(s), 3 non-finite count(s)', bytes: 16 },
        ],
      });
    });

  it('the batch bytes follow the graph: twice the batch, twice the upload', () => {
    const at = (batch: number) =>
      hostTransfers(source.stepGraph({ method: 'bp', copies: 1, batch, schedule: 'sequential' })).uploads.bytes;
    expect(at(64)).toBe(2 * at(32));
  });

  it('conv, pool, batch-norm and token graphs are resident like the MLPs, under ES and AES too', () => {
    const step = (net: ReturnType<typeof mlp>, method: 'bp' | 'alr' | 'es') =>
      hostTransfers(stepSource(net).stepGraph({ method, copies: 4, batch: 8, schedule: 'sequential' }));
    const image = { inputShape: [1, 8, 8], classes: 3 };
    for (const method of ['bp', 'alr'] as const) {
      expect(step(cnn(image), method).fallback).toBeUndefined();
      expect(step(resnet5(image), method).fallback).toBeUndefined();
    }
    // cnn: 1 loss, 3 updates; resnet5: 1 loss, 9 updates.
    expect(step(cnn(image), 'bp').downloads).toEqual({ count: 1, bytes: 16 });
    expect(step(resnet5(image), 'alr').downloads).toEqual({ count: 1, bytes: 40 });
    expect(step(vitTiny({ inputShape: [1, 14, 14], classes: 3 }), 'alr').fallback).toBeUndefined();
    // ES/AES run their perturbed copies' dense, conv, batch-norm and token-layer forward on the device.
    expect(step(mlp([12, 40, 3]), 'es').fallback).toBeUndefined();
    expect(step(resnet5(image), 'es').fallback).toBeUndefined();
    expect(step(cnn(image), 'es').downloads).toEqual({ count: 1, bytes: 16 });
    expect(step(vitTiny({ inputShape: [1, 14, 14], classes: 3 }), 'es').fallback).toBeUndefined();
  });

  it('learned sigma, micro-batches and staleness 1 are resident; a stale gradient is not checked', async () => {
    const { loadHwModel } = await import('../../src/hw/load.js');
    const hw = loadHwModel('gpu-like');
    const base = { method: 'alr' as const, copies: 4, batch: 8, optimizer: 'adam' as const };
    const transfers = (options: Parameters<typeof source.compile>[1]) =>
      hostTransfers(source.compile(hw, options).graph);
    const fallback = (options: Parameters<typeof source.compile>[1]) => transfers(options).fallback;
    expect(fallback({ ...base, schedule: 'sequential' })).toBeUndefined();
    // Learned sigma is held and updated on the device, under staleness 1 and with micro-batches too.
    const sigma = { ...base, schedule: 'sequential' as const, ...learnedSigmaSwitches(true) };
    expect(fallback(sigma)).toBeUndefined();
    const staleSigma = {
      ...base,
      schedule: 'layer-pipelined' as const,
      microBatches: 1,
      staleness: 1 as const,
      ...learnedSigmaSwitches(true),
    };
    expect(fallback(staleSigma)).toBeUndefined();
    // 1 loss, 3 parameter updates, 3 sigmas and their 3 Adam states: the stale sigma gradients add no check.
    expect(transfers(sigma).downloads).toEqual({ count: 1, bytes: 4 * 10 });
    expect(transfers(staleSigma).downloads).toEqual(transfers(sigma).downloads);
    const microSigma = {
      ...base,
      schedule: 'layer-pipelined' as const,
      microBatches: 4,
      ...learnedSigmaSwitches(true),
    };
    expect(fallback(microSigma)).toBeUndefined();
    expect(fallback({ ...microSigma, staleness: 1 })).toBeUndefined();
    // A micro-batched step runs each micro-batch on the device and sums their gradients there.
    expect(fallback({ ...base, schedule: 'layer-pipelined', microBatches: 4 })).toBeUndefined();
    // Staleness 1 keeps the gradient the next step applies on the device too.
    expect(fallback({ ...base, schedule: 'layer-pipelined', microBatches: 1, staleness: 1 })).toBeUndefined();
  });

  it('simulate reports them for the step it simulates', async () => {
    const { simulate } = await import('../../sim/simulate.js');
    const { loadHwModel } = await import('../../src/hw/load.js');
    const hw = loadHwModel('gpu-like');
    const step = source.compile(hw, { method: 'alr', copies: 8, batch: 32, schedule: 'sequential' });
    const report = simulate(step, { iterations: 1, noTimelines: true });
    expect(report.hostTransfers).toEqual({ ...hostTransfers(step.graph), hostLink: null });
  });
});
