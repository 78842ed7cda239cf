// The op table (kernels/ops): every kernel an entry names is registered; every activation's BP
// backward is the derivative of its forward (central differences at drawn points, away from a kink),
// a planted wrong derivative fails the same check; gpu.js gets each scalar function as a named helper;
// and work counting reads the table's per-element counts.
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { opHelper } from '../../kernels/gpujs/op-helper.js';
import { KERNEL_NAMES } from '../../kernels/names.js';
import {
  ACTIVATION_KERNELS,
  ACTIVATION_NAMES,
  ACTIVATION_OPS,
  type ActivationOp,
} from '../../kernels/ops/activations.js';
import { VECTOR_OPS } from '../../kernels/ops/vector-ops.js';
import { workOf } from '../../src/ir/work-of.js';

test('every kernel the op table names is a registered kernel', () => {
  const named = [...ACTIVATION_KERNELS, ...Object.values(VECTOR_OPS).flatMap((op) => op.kernels)];
  expect(named.filter((k) => !(KERNEL_NAMES as readonly string[]).includes(k))).toEqual([]);
});

/** The worst |backward(dy, x) - dy * (f(x + h) - f(x - h)) / 2h| over drawn points, relative to max(1, |dy f'|). */
function derivativeError(op: ActivationOp): number {
  let worst = 0;
  fc.assert(
    fc.property(fc.double({ min: -8, max: 8, noNaN: true }), fc.double({ min: -2, max: 2, noNaN: true }), (x, dy) => {
      fc.pre(Math.abs(x) > 1e-3);
      const h = 1e-6;
      const fd = (dy * (op.forward(x + h) - op.forward(x - h))) / (2 * h);
      worst = Math.max(worst, Math.abs(op.backward(dy, x) - fd) / Math.max(1, Math.abs(fd)));
    }),
    { numRuns: 500, seed: 20 },
  );
  return worst;
}

test.each(ACTIVATION_NAMES)("%s: backward is dy times the forward's derivative (central differences, 1e-7)", (name) => {
  expect(derivativeError(ACTIVATION_OPS[name])).toBeLessThan(1e-7);
});

test('a planted wrong derivative (SiLU without its x (1 - s) term) fails the same check', () => {
  const broken: ActivationOp = { ...ACTIVATION_OPS.silu, backward: (dy, x) => dy / (1 + Math.exp(-x)) };
  expect(derivativeError(broken)).toBeGreaterThan(1e-2);
});

test.each(ACTIVATION_NAMES)('%s: gpu.js gets the forward and backward as named helpers of their own source', (name) => {
  const op = ACTIVATION_OPS[name];
  const forward = opHelper('opForward', op.forward);
  const backward = opHelper('opBackward', op.backward);
  expect(forward.source).toMatch(/^function opForward\(\w+\) \{[\s\S]*\}$/);
  expect(backward.params).toHaveLength(2);
  const asFunction = (h: { source: string; name: string }) => new Function(`${h.source}; return ${h.name};`)();
  expect(asFunction(forward)(0.75)).toBe(op.forward(0.75));
  expect(asFunction(backward)(-1.5, 0.75)).toBe(op.backward(-1.5, 0.75));
});

test('work counting reads the per-element counts of the op table', () => {
  const base = { id: 'n', inputs: [], outputs: [], phase: 'forward' as const };
  for (const act of ACTIVATION_NAMES)
    expect(workOf({ ...base, kind: 'BiasAct', act, elements: 10 })).toMatchObject({
      opsPerElement: ACTIVATION_OPS[act].opsPerElement,
    });
  expect(workOf({ ...base, kind: 'BatchNorm', elements: 10, channels: 2 })).toMatchObject({
    opsPerElement: VECTOR_OPS.BatchNorm.opsPerElement,
  });
  expect(workOf({ ...base, kind: 'Pool', op: 'max', elements: 10, size: 3, stride: 2 })).toMatchObject({
    opsPerElement: 9 * VECTOR_OPS.Pool.opsPerElement,
  });
  expect(workOf({ ...base, kind: 'OptimizerUpdate', elements: 10, optimizer: 'adam' })).toMatchObject({
    opsPerElement: VECTOR_OPS['OptimizerUpdate.adam'].opsPerElement,
  });
});
