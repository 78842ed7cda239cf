// Probe training steps for `hw calibrate`: small synthetic networks, with shapes unlike the shipped
// models', trained for a few steps on synthetic data through the training runtime with per-node
// profiling, under BP, LR and ALR (two MLPs' and one CNN's LR and ALR steps learn sigma). So each
// node's time is what the runtime really spends on it: its kernels and the host work around them
// (argument checks, downloads, baselines, error signals).
// Per node, the median of the timed steps counts, and the step's median time is kept too: the
// typical steady-state step, which is what a training run's steps take (the fastest step is an
// idle machine's best case; a loaded or collecting machine makes steps vary by 1.5x).
import { median } from 'd3';
import type { IrNode } from '../../ir/types.js';
import type { Method } from '../../compiler/methods/names.js';
import { modelStepSource, type StepSource } from '../../compiler/step-source.js';
import { Runtime } from '../runtime/runtime.js';
import type { Batch } from '../runtime/step-types.js';
import { exactMethod, methodOf, probeDefaultMethods } from '../../compiler/methods/registry.js';

export interface ProbeStep {
  name: string;
  network: StepSource;
  method: Method;
  batch: number;
  copies: number;
  /** LR/ALR: learn sigma (the step holds its sigma gradients and updates). */
  learnSigma?: boolean;
}

export interface NodeTiming {
  node: IrNode;
  seconds: number;
}

export interface StepTiming {
  probe: ProbeStep;
  /** The median timed step, whole. */
  seconds: number;
  nodes: NodeTiming[];
}

const methods: Method[] = [exactMethod, ...probeDefaultMethods];
/** The timed steps' learning rate (weights and sigma): small, so that no probe diverges (timing does not depend on it). */
const stepLr = 1e-3;

/**
 * Four MLPs (1024 to 6144 noisy rows) and two small conv nets, each under BP, LR and ALR: every op
 * class of the shipped MLP and CNN steps; two MLPs and a CNN learn sigma under LR and ALR.
 */
export function probeSteps(): ProbeStep[] {
  const mlp = (inputs: number, hidden: number): StepSource =>
    modelStepSource('mlp', { inputShape: [inputs], hidden: [hidden], classes: 10 });
  const cnn = (side: number): StepSource => modelStepSource('cnn', { inputShape: [1, side, side], classes: 10 });
  const nets: { network: StepSource; batch: number; copies: number; learnSigma?: boolean }[] = [
    { network: mlp(400, 128), batch: 32, copies: 32 },
    { network: mlp(200, 384), batch: 48, copies: 48, learnSigma: true },
    { network: mlp(300, 160), batch: 96, copies: 32 },
    { network: mlp(256, 200), batch: 96, copies: 64, learnSigma: true },
    { network: cnn(12), batch: 16, copies: 8 },
    { network: cnn(20), batch: 16, copies: 16, learnSigma: true },
  ];
  const nameOf = (n: StepSource): string => (n.inputShape.length > 1 ? `${n.name}@${n.inputShape.join('x')}` : n.name);
  return nets.flatMap(({ learnSigma, ...n }) =>
    methods.map((method) => {
      const sigma = learnSigma && methodOf(method).switches.includes('learnedSigma');
      return {
        ...n,
        name: `${nameOf(n.network)} ${method}${sigma ? ' learned sigma' : ''}`,
        method,
        ...(sigma ? { learnSigma } : {}),
      };
    }),
  );
}

/** Deterministic inputs in [0, 1) and labels, different at every step (timing needs no real data). */
function probeBatch(network: StepSource, samples: number, step: number): Batch {
  const x = Float64Array.from({ length: samples * network.inputShape.reduce((a, b) => a * b, 1) }, (_, i) =>
    Math.abs(Math.sin(i + 7919 * step)),
  );
  const labels = Int32Array.from({ length: samples }, (_, i) => (i + step) % network.classes);
  return { x, labels, samples };
}

export interface TimeStepOptions {
  warmups?: number;
  timed?: number;
  /** The batch of each step (default: probeBatch). */
  batchOf?: (step: number) => Batch;
}

/** Trains `probe` for warm-up then timed steps; `backend` is the backend that actually ran. */
export async function timeStep(
  probe: ProbeStep,
  backend: string,
  options: TimeStepOptions = {},
): Promise<StepTiming & { backend: string }> {
  const { warmups = 2, timed = 5, batchOf = (step: number) => probeBatch(probe.network, probe.batch, step) } = options;
  const runtime = await Runtime.create({
    network: probe.network,
    backend,
    seed: 1,
    method: {
      method: probe.method,
      copies: probe.copies,
      sigma: 0.1,
      baseline: 'mean',
      encoding: 'sign-noise',
      antithetic: false,
      layerwise: false,
      ...(probe.learnSigma ? { learnSigma: { lr: stepLr, min: 1e-3 } } : {}),
    },
    optimizer: { kind: 'sgd', momentum: 0.9, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
  });
  try {
    const perNode = new Map<string, number[]>();
    const steps: number[] = [];
    for (let step = 0; step < warmups + timed; step++) {
      runtime.profile = new Map();
      const started = performance.now();
      await runtime.trainStep(batchOf(step), step, stepLr);
      if (step < warmups) continue;
      steps.push((performance.now() - started) / 1000);
      for (const [id, p] of runtime.profile) perNode.set(id, [...(perNode.get(id) ?? []), p.ms / 1000]);
    }
    const graph = runtime.graphs.step(probe.batch);
    const nodes = graph.nodes
      .filter((n) => perNode.has(n.id))
      .map((node) => ({ node, seconds: median(perNode.get(node.id)!)! }));
    return { probe, seconds: median(steps)!, nodes, backend: runtime.backend };
  } finally {
    await runtime.dispose();
  }
}
