// Properties over fast-check-drawn MLP and CNN shapes: every compiler pass keeps verifyGraph
// clean for every method, and the compiler's kept bytes follow METHOD.md 3.4's closed forms
// (LR: N*d0 + N*K*sum of later inputs + N*K*sum of outputs floats; ALR packs the noise in words).
import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { compile, stepGraph, type PassTrace } from '../../src/compiler/compile.js';
import { resolveCompileOptions } from '../../src/compiler/compile-options.js';
import { keptBytes } from '../../src/compiler/kept-bytes.js';
import { methodNames as methods, methodOf, schedulesFor } from '../../src/compiler/methods/registry.js';
import { isPipelined } from '../../src/compiler/schedules/registry.js';
import { graphProblems } from '../../src/ir/verify-graph.js';
import { cnn, mlp } from '../../src/models/builders.js';
import { quadCoreHw } from '../fixtures/compiler-hw.js';

const widths = fc.array(fc.integer({ min: 1, max: 24 }), { minLength: 2, maxLength: 5 });
const method = fc.constantFrom(...methods);
const small = fc.integer({ min: 1, max: 5 });

test.prop({ widths, method, copies: small, batch: small }, { numRuns: 60 })(
  'MLP: every pass keeps the graph valid',
  ({ widths, method, copies, batch }) => {
    const trace: PassTrace[] = [];
    const schedule = schedulesFor(method).find(isPipelined)!;
    // A hybrid needs two parametrised layers (one BP, one LR).
    const net = mlp(widths.length < 3 && methodOf(method).switches.includes('bpLayers') ? [...widths, 3] : widths);
    compile(net, quadCoreHw, { method, copies, batch, schedule, microBatches: Math.min(2, batch) }, trace);
    for (const { pass, graph } of trace)
      expect({ pass, problems: graphProblems(graph) }).toEqual({ pass, problems: [] });
  },
);

const cnnShape = fc.record({
  channels: fc.integer({ min: 1, max: 3 }),
  size: fc.integer({ min: 4, max: 12 }),
  classes: fc.integer({ min: 2, max: 6 }),
  batchNorm: fc.boolean(),
});

test.prop({ shape: cnnShape, method, copies: small, batch: small }, { numRuns: 40 })(
  'CNN: every pass keeps the graph valid',
  ({ shape, method, copies, batch }) => {
    const net = cnn({
      inputShape: [shape.channels, shape.size, shape.size],
      classes: shape.classes,
      batchNorm: shape.batchNorm,
    });
    const trace: PassTrace[] = [];
    compile(net, quadCoreHw, { method, copies, batch, schedule: 'data-parallel' }, trace);
    for (const { pass, graph } of trace)
      expect({ pass, problems: graphProblems(graph) }).toEqual({ pass, problems: [] });
  },
);

test.prop({ widths, copies: small, batch: small }, { numRuns: 60 })(
  'MLP kept bytes follow the closed forms for LR and ALR',
  ({ widths, copies, batch }) => {
    const N = batch;
    const K = copies;
    const inputs = widths.slice(0, -1);
    const outputs = widths.slice(1);
    const activations = 4 * (N * inputs[0]! + N * K * inputs.slice(1).reduce((a, b) => a + b, 0));
    const lr = keptBytes(
      stepGraph(mlp(widths), resolveCompileOptions({ method: 'lr', copies, batch, schedule: 'sequential' })),
    );
    expect(lr).toEqual({
      activation: activations,
      noise: 4 * N * K * outputs.reduce((a, b) => a + b, 0),
      'sign-bits': 0,
      loss: 4 * N * K,
    });
    const alr = keptBytes(
      stepGraph(mlp(widths), resolveCompileOptions({ method: 'alr', copies, batch, schedule: 'sequential' })),
    );
    expect(alr).toEqual({
      activation: activations,
      noise: 0,
      'sign-bits': outputs.reduce((s, d) => s + 4 * Math.ceil((N * K * d) / 32), 0),
      loss: 4 * N * K,
    });
  },
);
