// A conv net's BP step on tfjs-wasm with its state resident in TF.js (conv, batch-norm, max and
// average pooling, a residual add: resnet5 at 3x8x8) against the float64 reference backend and
// against residency off: the resident step's kernels (max pooling's kept winners, the heap loops,
// the conv gradients) must give the reference's losses to float32 rounding, and leak no tensor.
import { describe, expect, it } from 'vitest';
import { loadTfjs } from '../../kernels/tfjs/tfjs-runtime.js';
import { resnet5 } from '../../src/models/builders.js';
import { Runtime } from '../../src/train/runtime/runtime.js';
import { stepSource } from '../../src/compiler/step-source.js';
import { methodOptions, sgdMomentum } from '../fixtures/runtime-options.js';

function data(length: number, seed: number): Float64Array {
  let s = seed;
  return Float64Array.from({ length }, () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5);
}

const batch = { x: data(6 * 3 * 8 * 8, 5), labels: Int32Array.from({ length: 6 }, (_, i) => i % 4), samples: 6 };

const make = (backend: string, resident: boolean) =>
  Runtime.create({
    network: stepSource(resnet5({ inputShape: [3, 8, 8], classes: 4 })),
    backend,
    seed: 2,
    resident,
    method: methodOptions('bp', 1),
    optimizer: sgdMomentum,
  });

describe('resnet5 BP on tfjs-wasm, state resident in TF.js', () => {
  it('gives the float64 reference losses and weights to float32 rounding, as residency off does, and leaks no tensor', async () => {
    const tf = await loadTfjs();
    const before = tf.memory().numTensors;
    const [on, off, reference] = [
      await make('tfjs-wasm', true),
      await make('tfjs-wasm', false),
      await make('reference', false),
    ];
    try {
      expect(on.residency()).toEqual({ resident: true });
      const counts: number[] = [];
      for (let step = 0; step < 4; step++) {
        const [a, b, c] = [
          await on.trainStep(batch, step, 0.1),
          await off.trainStep(batch, step, 0.1),
          await reference.trainStep(batch, step, 0.1),
        ];
        counts.push(tf.memory().numTensors);
        expect(Math.abs(a.meanLoss - c.meanLoss) / c.meanLoss).toBeLessThan(2e-6);
        expect(Math.abs(b.meanLoss - c.meanLoss) / c.meanLoss).toBeLessThan(2e-6);
      }
      await on.syncHost();
      for (const layer of ['conv1', 'res1.conv2', 'conv2', 'fc']) {
        const [w, want] = [on.params[layer]!.weights, reference.params[layer]!.weights];
        const worst = Math.max(...Array.from(want, (v, i) => Math.abs(w[i]! - v)));
        expect(worst, layer).toBeLessThan(1e-5);
      }
      expect(new Set(counts).size).toBe(1);
    } finally {
      await on.dispose();
      await off.dispose();
      await reference.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
