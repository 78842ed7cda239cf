// The runtime under a compiled schedule against the float64 oracle (src/estimators) on the
// `reference` backend, 1e-12 relative: (1) a micro-batched step (M parts, uneven) of the
// layer-pipelined mapped graph gives the whole batch's direct-estimator gradient, because each part's
// noise rows are offset to the rows it has in the whole batch; (2) the mapped graph of a conv net with
// Transfers between stages gives the direct gradient; (3) staleness 1, hand-stepped: step t computes
// its gradient at W_t and applies step t-1's (nothing at step 0) with SGD momentum in float64. A
// runtime that ignored the row offset, or applied the fresh gradient, fails these. (4) The same with
// learned sigma: its gradient and update are graph nodes, combined over micro-batches, applied a step
// late with the run's optimizer at the sigma rate, and floored.
import { describe, expect, test } from 'vitest';
import { estimate } from '../../src/estimators/estimate.js';
import { initParams } from '../../src/estimators/params.js';
import type { EstimatorOptions } from '../../src/estimators/types.js';
import { loadHwModel } from '../../src/hw/load.js';
import { outputChannels, paramLayers, type Network } from '../../src/models/layers.js';
import type { StepSchedule } from '../../src/train/runtime/graph-cache.js';
import { Runtime } from '../../src/train/runtime/runtime.js';
import type { MethodOptions } from '../../src/train/runtime/step-types.js';
import { bridgeNetworks, relativeError, smallCnn } from '../fixtures/bridge-networks.js';
import { stepSource } from '../../src/compiler/step-source.js';

const hw = loadHwModel('multicore-16');
const samples = 4;
const seed = 5;
const sgd = { kind: 'sgd' as const, momentum: 0.9, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
const base = {
  encoding: 'sign-noise' as const,
  antithetic: false,
  layerwise: false,
  sigma: 0.1,
  baseline: 'mean' as const,
};
const cases: MethodOptions[] = [
  { ...base, method: 'lr', copies: 4 },
  { ...base, method: 'alr', copies: 4 },
  { ...base, method: 'alr', copies: 4, antithetic: true, baseline: 'leave-one-out' },
  { ...base, method: 'alr', copies: 4, encoding: 'sign-signal' },
  { ...base, method: 'lr', copies: 4, layerwise: true },
  { ...base, method: 'es', copies: 3, sigma: 0.02 },
  { ...base, method: 'aes', copies: 3, sigma: 0.02 },
];

function batchOf(network: Network, step: number): { input: Float64Array; labels: Int32Array } {
  const width = network.inputShape.reduce((a, b) => a * b, 1);
  const input = Float64Array.from({ length: samples * width }, (_, i) => Math.sin(i * 1.7 + step));
  return { input, labels: Int32Array.from({ length: samples }, (_, i) => (i + step) % 3) };
}

function estimatorOptions(m: MethodOptions, step: number): EstimatorOptions {
  return {
    method: m.method,
    copies: m.copies,
    sigma: m.sigma,
    baseline: m.baseline,
    antithetic: m.antithetic,
    layerwise: m.layerwise,
    alrEncoding: m.encoding,
    seed,
    step,
  };
}

async function runtimeWith(
  network: Network,
  method: MethodOptions,
  schedule: StepSchedule,
  params: ReturnType<typeof initParams>,
): Promise<Runtime> {
  const runtime = await Runtime.create({
    network: stepSource(network),
    backend: 'reference',
    method,
    seed,
    optimizer: sgd,
    schedule,
  });
  for (const [name, p] of params)
    runtime.params[name] = { weights: Float64Array.from(p.weights), biases: Float64Array.from(p.biases) };
  return runtime;
}

function expectClose(
  mine: Record<string, { weights: Float64Array; biases: Float64Array }>,
  theirs: Map<string, { weights: Float64Array; biases: Float64Array }>,
): void {
  for (const [name, g] of theirs) {
    expect(relativeError(mine[name]!.weights, g.weights), `${name} weights`).toBeLessThanOrEqual(1e-12);
    expect(relativeError(mine[name]!.biases, g.biases), `${name} biases`).toBeLessThanOrEqual(1e-12);
  }
}

describe('layer-pipelined step graph on the reference backend == direct estimators (1e-12)', () => {
  const network = bridgeNetworks[0]!;
  test.each(cases)(
    '3 micro-batches: $method K=$copies $baseline $encoding antithetic=$antithetic layerwise=$layerwise',
    async (method) => {
      const params = initParams(network, 11);
      const runtime = await runtimeWith(
        network,
        method,
        { kind: 'layer-pipelined', batch: samples, microBatches: 3, staleness: 0, hw },
        params,
      );
      // The runtime splits the batch as the compiled step graph declares, and each part's graph says so too.
      expect(runtime.graphs.layout()).toEqual({ microBatches: 3, staleness: 0 });
      expect(runtime.graphs.step(Math.floor(samples / 3)).meta).toMatchObject({ microBatches: 3, staleness: 0 });
      const { input, labels } = batchOf(network, 0);
      const mine = await runtime.gradients({ x: input, labels, samples }, 3);
      expectClose(
        mine.gradients,
        estimate(network, params, { input, labels, size: samples }, estimatorOptions(method, 3)).gradients,
      );
      await runtime.dispose();
    },
  );

  test.each(['lr', 'alr'] as const)('conv net with Transfers between stages: %s', async (m) => {
    const method = { ...base, method: m, copies: 4 };
    const params = initParams(smallCnn, 11);
    const runtime = await runtimeWith(
      smallCnn,
      method,
      { kind: 'layer-pipelined', batch: samples, microBatches: 1, staleness: 0, hw },
      params,
    );
    expect(runtime.graphs.step(samples).nodes.some((n) => n.kind === 'Transfer')).toBe(true);
    const { input, labels } = batchOf(smallCnn, 0);
    const mine = await runtime.gradients({ x: input, labels, samples }, 2);
    expectClose(
      mine.gradients,
      estimate(smallCnn, params, { input, labels, size: samples }, estimatorOptions(method, 2)).gradients,
    );
    await runtime.dispose();
  });
});

describe('staleness 1 == a float64 hand-stepped reference (1e-12)', () => {
  const network = bridgeNetworks[0]!;
  test.each([cases[1]!, cases[5]!])("$method: 3 steps, each applying the previous step's gradient", async (method) => {
    const lr = 0.1;
    const params = initParams(network, 11);
    const runtime = await runtimeWith(
      network,
      method,
      { kind: 'layer-pipelined', batch: samples, microBatches: 2, staleness: 1, hw },
      params,
    );
    const velocity = new Map(
      [...params].map(([n, p]) => [
        n,
        { weights: new Float64Array(p.weights.length), biases: new Float64Array(p.biases.length) },
      ]),
    );
    let pending: ReturnType<typeof estimate>['gradients'] | undefined;
    for (let step = 0; step < 3; step++) {
      const { input, labels } = batchOf(network, step);
      await runtime.trainStep({ x: input, labels, samples }, step, lr);
      const fresh = estimate(
        network,
        params,
        { input, labels, size: samples },
        estimatorOptions(method, step),
      ).gradients;
      for (const [name, g] of pending ?? []) {
        const p = params.get(name)!;
        const v = velocity.get(name)!;
        for (const key of ['weights', 'biases'] as const) {
          for (let i = 0; i < g[key].length; i++) {
            v[key][i] = sgd.momentum * v[key][i]! + g[key][i]!;
            p[key][i]! -= lr * v[key][i]!;
          }
        }
      }
      pending = fresh;
    }
    for (const [name, p] of params) {
      expect(relativeError(runtime.params[name]!.weights, p.weights), `${name} weights`).toBeLessThanOrEqual(1e-12);
      expect(relativeError(runtime.params[name]!.biases, p.biases), `${name} biases`).toBeLessThanOrEqual(1e-12);
    }
    await runtime.dispose();
  });
});

describe('learned sigma, 2 micro-batches, staleness 1 == a float64 hand-stepped reference (1e-12)', () => {
  const network = bridgeNetworks[0]!;
  test.each(['lr', 'alr'] as const)(
    "%s: 3 steps; weights and sigma each take the previous step's gradient, sigma floored",
    async (m) => {
      const lr = 0.1;
      const sigmaLr = 0.5;
      const floor = 0.099;
      const method: MethodOptions = { ...base, method: m, copies: 4, learnSigma: { lr: sigmaLr, min: floor } };
      const params = initParams(network, 11);
      const runtime = await runtimeWith(
        network,
        method,
        { kind: 'layer-pipelined', batch: samples, microBatches: 2, staleness: 1, hw },
        params,
      );
      const sigma = new Map(
        paramLayers(network.layers).map((l) => [l.name, new Float64Array(outputChannels(l)).fill(base.sigma)]),
      );
      const zeros = (n: number): Float64Array => new Float64Array(n);
      const velocity = new Map(
        [...params].map(([n, p]) => [
          n,
          { weights: zeros(p.weights.length), biases: zeros(p.biases.length), sigma: zeros(sigma.get(n)!.length) },
        ]),
      );
      const descend = (values: Float64Array, v: Float64Array, g: Float64Array, rate: number): void => {
        for (let i = 0; i < g.length; i++) {
          v[i] = sgd.momentum * v[i]! + g[i]!;
          values[i]! -= rate * v[i]!;
        }
      };
      let pending: ReturnType<typeof estimate>['gradients'] | undefined;
      for (let step = 0; step < 3; step++) {
        const { input, labels } = batchOf(network, step);
        await runtime.trainStep({ x: input, labels, samples }, step, lr, sigmaLr);
        const storage = m === 'alr' ? { noiseStorage: 'regenerate' as const } : {};
        const options = {
          ...estimatorOptions(method, step),
          sigma: new Map([...sigma].map(([k, v]) => [k, Float64Array.from(v)])),
          learnSigma: true,
          ...storage,
        };
        const fresh = estimate(network, params, { input, labels, size: samples }, options).gradients;
        for (const [name, g] of pending ?? []) {
          const p = params.get(name)!;
          const v = velocity.get(name)!;
          descend(p.weights, v.weights, g.weights, lr);
          descend(p.biases, v.biases, g.biases, lr);
          const s = sigma.get(name)!;
          descend(s, v.sigma, g.sigma!, sigmaLr);
          s.forEach((value, i) => (s[i] = Math.max(value, floor)));
        }
        pending = fresh;
      }
      const all = [...sigma.values()].flatMap((v) => [...v]);
      expect(
        all.some((v) => v === floor),
        'the floor bites',
      ).toBe(true);
      expect(
        all.some((v) => v > floor && v !== base.sigma),
        'sigma moves',
      ).toBe(true);
      for (const [name, p] of params) {
        expect(relativeError(runtime.params[name]!.weights, p.weights), `${name} weights`).toBeLessThanOrEqual(1e-12);
        expect(relativeError(runtime.params[name]!.biases, p.biases), `${name} biases`).toBeLessThanOrEqual(1e-12);
        expect(relativeError(runtime.sigma!.values.get(name)!, sigma.get(name)!), `${name} sigma`).toBeLessThanOrEqual(
          1e-12,
        );
      }
      await runtime.dispose();
    },
  );
});
