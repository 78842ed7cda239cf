// Learned sigma is part of the LR/ALR step graph: every noisy layer's sigma is a tensor that its
// noise injection and gradient product read, a SigmaGrad node per layer forms the sigma gradient from
// the layer's float noise (kept by LR, regenerated after the loss by ALR, whose kept bytes stay
// the same) and its pass's baselined loss (ALR sign-signal: the Loss node's second, float output), and
// an OptimizerUpdate with target 'sigma' updates it. Multi-core stages all-reduce the sigma gradient
// like the weight gradient. Without the switch there is none of it. `simulate --learn-sigma` costs it.
import { describe, expect, test } from 'vitest';
import { compile, stepGraph } from '../../src/compiler/compile.js';
import { resolveCompileOptions, type CompileOptionsInput } from '../../src/compiler/compile-options.js';
import { keptBytes } from '../../src/compiler/kept-bytes.js';
import { ConfigError } from '../../src/errors.js';
import { loadHwModel } from '../../src/hw/load.js';
import { defaultSwitches } from '../../src/ir/method-rules.js';
import type { Graph, IrNode } from '../../src/ir/types.js';
import { mlp } from '../../src/models/builders.js';
import { outputChannels, paramLayers, type Network } from '../../src/models/layers.js';
import { runSimJob, summaryTable, type SimJob } from '../../sim/job.js';
import { smallCnn } from '../fixtures/bridge-networks.js';

const N = 4;
const K = 3;
const net = mlp([6, 5, 3], 'tanh');
const learned = { ...defaultSwitches, learnedSigma: true };
type Options = Partial<CompileOptionsInput> & Pick<CompileOptionsInput, 'method'>;
const graphOf = (network: Network, o: Options): Graph =>
  stepGraph(network, resolveCompileOptions({ copies: K, batch: N, schedule: 'sequential', ...o }));
const node = (g: Graph, id: string): IrNode => {
  const found = g.nodes.find((n) => n.id === id);
  if (!found) throw new Error(`no node ${id}`);
  return found;
};
const producer = (g: Graph, tensor: string): IrNode | undefined => g.nodes.find((n) => n.outputs.includes(tensor));

describe.each([
  {
    name: 'LR',
    network: net,
    o: { method: 'lr', switches: learned } as Options,
    noise: (l: string) => `${l}.noise`,
    loss: (l: string) => `loss@${l}`,
  },
  {
    name: 'ALR',
    network: net,
    o: { method: 'alr', switches: learned } as Options,
    noise: (l: string) => `${l}.noise.regen`,
    loss: (l: string) => `loss@${l}`,
  },
  {
    name: 'ALR sign-signal',
    network: net,
    o: { method: 'alr', switches: { ...learned, encoding: 'sign-signal' } } as Options,
    noise: (l: string) => `${l}.noise.regen`,
    loss: () => 'loss.values',
  },
  {
    name: 'layer-wise LR',
    network: net,
    o: { method: 'lr', layerwise: true, switches: learned } as Options,
    noise: (l: string) => `lw.${l}/${l}.noise`,
    loss: (l: string) => `lw.${l}/loss`,
  },
  {
    name: 'conv net ALR',
    network: smallCnn,
    o: { method: 'alr', switches: learned } as Options,
    noise: (l: string) => `${l}.noise.regen`,
    loss: (l: string) => `loss@${l}`,
  },
])('$name', ({ network, o, noise, loss }) => {
  const graph = graphOf(network, o);
  const layers = paramLayers(network.layers);

  test('each layer: sigma tensor read by its injection and gradient, a SigmaGrad from float noise and the baselined loss, a sigma update', () => {
    for (const layer of layers) {
      const l = layer.name;
      expect(graph.tensors[`${l}.sigma`]).toMatchObject({ shape: [outputChannels(layer)], cls: 'weight' });
      const injects = graph.nodes.filter((n) => n.kind === 'NoiseInject' && n.layer === l && n.phase === 'forward');
      expect(injects).toHaveLength(1);
      expect(injects[0]!.inputs).toContain(`${l}.sigma`);
      expect(injects[0]!.kind === 'NoiseInject' && injects[0]!.spatial, `${l}: spatial noise`).toBe(
        layer.kind === 'linear' ? undefined : true,
      );
      const signal = graph.nodes.filter(
        (n) => (n.kind === 'GradProduct' || n.kind === 'Reduce') && n.layer === l && n.inputs.length > 2,
      );
      expect(signal.length, `${l}: the node forming the error signal`).toBe(1);
      expect(signal[0]!.inputs).toContain(`${l}.sigma`);
      const grad = node(graph, `${l}.sigma-grad`);
      expect(grad).toMatchObject({
        kind: 'SigmaGrad',
        phase: 'gradient',
        channels: outputChannels(layer),
        normaliser: N * K,
        inputs: [noise(l), loss(l), `${l}.sigma`],
      });
      expect(graph.tensors[noise(l)]!.dtype).toBe('f32');
      expect(producer(graph, loss(l))?.kind).toMatch(/^(Loss|LossBroadcast)$/);
      expect(node(graph, `${l}.sigma.update`)).toMatchObject({
        kind: 'OptimizerUpdate',
        target: 'sigma',
        inputs: [`${l}.sigma`, `${l}.sigma.grad`],
        outputs: [`${l}.sigma.next`],
      });
    }
  });

  test('the same graph without the switch has no sigma nodes or tensors, and keeps the same bytes until the loss (but the float loss of sign-signal)', () => {
    const fixed = graphOf(network, { ...o, switches: { ...o.switches!, learnedSigma: false } });
    expect(fixed.nodes.some((n) => n.kind === 'SigmaGrad' || n.id.includes('.sigma'))).toBe(false);
    expect(Object.keys(fixed.tensors).some((t) => t.includes('.sigma'))).toBe(false);
    const extraLoss = o.switches!.encoding === 'sign-signal' ? N * K * 4 : 0;
    expect(keptBytes(graph)).toEqual({ ...keptBytes(fixed), loss: keptBytes(fixed).loss + extraLoss });
  });
});

test('Adam keeps sigma moments of its own; a multi-core stage all-reduces the sigma gradient before its update', () => {
  const adam = graphOf(net, { method: 'lr', switches: learned, optimizer: 'adam' });
  expect(node(adam, 'fc1.sigma.update').inputs).toEqual(['fc1.sigma', 'fc1.sigma.grad', 'fc1.sigma.opt']);
  expect(adam.tensors['fc1.sigma.opt']!.shape).toEqual([2 * 5]);
  const step = compile(net, loadHwModel('multicore-16'), {
    method: 'alr',
    copies: K,
    batch: 32,
    schedule: 'data-parallel',
    switches: learned,
  });
  const update = node(step.graph, 'fc1.sigma.update');
  expect(update.inputs[1]).toBe('fc1.sigma.grad.reduced');
  expect(producer(step.graph, 'fc1.sigma.grad.reduced')?.kind).toBe('AllReduce');
});

test('learned sigma with ES, AES or BP is refused, naming the methods it applies to', () => {
  for (const method of ['es', 'aes', 'bp'] as const) {
    expect(() =>
      resolveCompileOptions({ method, copies: K, batch: N, schedule: 'sequential', switches: learned }),
    ).toThrow(ConfigError);
    expect(() =>
      resolveCompileOptions({ method, copies: K, batch: N, schedule: 'sequential', switches: learned }),
    ).toThrow(/--learn-sigma with --method \w+: .*allowed with --method lr, alr/);
  }
});

test('simulate --learn-sigma: the sigma gradients and updates are simulated, cost cycles, and the report says so', async () => {
  const job: SimJob = {
    model: 'mlp',
    method: 'alr',
    copies: 8,
    batch: 8,
    schedule: 'sequential',
    hw: 'multicore-16',
    iterations: 2,
  };
  const fixed = await runSimJob(job);
  const withSigma = await runSimJob({ ...job, learnSigma: true });
  expect(fixed.input.learnedSigma).toBeUndefined();
  expect(withSigma.input.learnedSigma).toBe(true);
  expect(summaryTable(withSigma)).toMatch(/staleness 0, learned sigma\)/);
  const simulated = new Set(withSigma.timeline.map((e) => e.node));
  for (const id of ['fc1.sigma-grad', 'fc1.sigma.update', 'fc2.sigma-grad', 'fc1.regenerate'])
    expect(simulated.has(id), id).toBe(true);
  expect(withSigma.cycles.steadyStatePerIteration).toBeGreaterThan(fixed.cycles.steadyStatePerIteration);
});
