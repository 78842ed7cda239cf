// The graph-to-simulator bridge: the graph the runtime executes is the graph the simulator costs.
// For sequential and layer-pipelined schedules, every compute node the runtime executes has its
// tasks in the compiled step the simulator runs and appears in the simulated timeline (the batchnorm
// clean pass and learned sigma's gradient and update included), and the bytes
// the runtime measures on its kept buffers (per tensor class) equal what the compiler counts on the
// simulated graph. A runtime that executed a different graph, or kept other buffers, fails this.
import { describe, expect, test } from 'vitest';
import { simulate } from '../../sim/simulate.js';
import { compile } from '../../src/compiler/compile.js';
import { keptBytes } from '../../src/compiler/kept-bytes.js';
import type { ScheduleKind } from '../../src/compiler/types.js';
import { loadHwModel } from '../../src/hw/load.js';
import { learnedSigmaSwitches } from '../../src/ir/method-rules.js';
import type { Method } from '../../src/compiler/methods/names.js';
import { workOf } from '../../src/ir/work-of.js';
import { Runtime } from '../../src/train/runtime/runtime.js';
import { bridgeNetworks, smallCnn } from '../fixtures/bridge-networks.js';
import { stepSource } from '../../src/compiler/step-source.js';

const hw = { ...loadHwModel('multicore-16'), wordBytes: 4 };
const samples = 4;
const cases: { net: number; method: Method; schedule: ScheduleKind; microBatches: number; learnSigma?: boolean }[] = [
  { net: 0, method: 'alr', schedule: 'sequential', microBatches: 1 },
  { net: 0, method: 'lr', schedule: 'layer-pipelined', microBatches: 1 },
  { net: 0, method: 'alr', schedule: 'layer-pipelined', microBatches: 2 },
  { net: 1, method: 'alr', schedule: 'layer-pipelined', microBatches: 1 },
  { net: 1, method: 'lr', schedule: 'sequential', microBatches: 1 },
  { net: 0, method: 'es', schedule: 'sequential', microBatches: 1 },
  { net: 0, method: 'alr', schedule: 'layer-pipelined', microBatches: 1, learnSigma: true },
  { net: 1, method: 'lr', schedule: 'sequential', microBatches: 1, learnSigma: true },
];

describe('the executed graph is the simulated graph', () => {
  test.each(cases)(
    '$method $schedule M=$microBatches on network $net, learned sigma: $learnSigma',
    async ({ net, method, schedule, microBatches, learnSigma }) => {
      const network = net === 0 ? bridgeNetworks[0]! : smallCnn;
      const copies = 4;
      const runtime = await Runtime.create({
        network: stepSource(network),
        backend: 'reference',
        seed: 3,
        optimizer: { kind: 'sgd', momentum: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
        method: {
          method,
          copies,
          sigma: 0.1,
          baseline: 'mean',
          encoding: 'sign-noise',
          antithetic: false,
          layerwise: false,
          ...(learnSigma ? { learnSigma: { lr: 0.01, min: 0.001 } } : {}),
        },
        schedule: { kind: schedule, batch: samples, microBatches, staleness: 0, hw },
      });
      const width = network.inputShape.reduce((a, b) => a * b, 1);
      const batch = {
        x: Float64Array.from({ length: samples * width }, (_, i) => Math.cos(i)),
        labels: Int32Array.from({ length: samples }, (_, i) => i % 3),
        samples,
      };
      const measured = (await runtime.gradients(batch, 0)).keptBytes;
      const executed = runtime.graphs.step(samples / microBatches);
      const parts = schedule === 'layer-pipelined' ? { microBatches } : {};
      const step = compile(network, hw, {
        method,
        copies,
        batch: samples,
        schedule,
        ...parts,
        ...learnedSigmaSwitches(learnSigma ?? false),
      });
      const tasked = new Set(step.tasks.map((t) => t.node));
      const timeline = new Set(simulate(step, { iterations: 1, model: network.name }).timeline.map((e) => e.node));
      const compute = executed.nodes.filter((n) => workOf(n).kind !== 'none');
      expect(compute.length).toBeGreaterThan(0);
      if (network === smallCnn)
        expect(
          compute.some((n) => n.id.startsWith('clean/')),
          'the batchnorm clean pass is in the graph',
        ).toBe(true);
      if (learnSigma)
        expect(
          compute.filter((n) => n.kind === 'SigmaGrad' || (n.kind === 'OptimizerUpdate' && n.target === 'sigma'))
            .length,
        ).toBe(2 * runtime.layers.length);
      for (const node of compute) {
        expect(tasked.has(node.id), `${node.id} has tasks`).toBe(true);
        expect(timeline.has(node.id), `${node.id} is simulated`).toBe(true);
      }
      if (microBatches === 1) {
        const counted = keptBytes(step.graph);
        for (const cls of ['activation', 'noise', 'sign-bits', 'loss'] as const)
          expect(measured[cls], cls).toBe(counted[cls]);
        if (method === 'lr' || method === 'alr')
          expect(measured.activation * measured.loss, 'activations and losses kept').toBeGreaterThan(0);
      }
      await runtime.dispose();
    },
  );
});
