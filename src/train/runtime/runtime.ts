// The training runtime: one object per run that owns the parameters and optimizer state and runs
// each training step's kernels on one backend. Every method goes through the same path: a step
// function produces per-layer gradients (lr-step for LR/ALR, es-step for ES/AES, bp-step for BP),
// then the optimizer's update kernels apply them. The state it exports is what checkpoints hold.
import type { Network } from '../../models/layers.js';
import { bpStep } from './bp-step.js';
import { denseStack, type DenseLayer } from './dense-stack.js';
import { esStep } from './es-step.js';
import { evaluate, type Evaluation } from './forward.js';
import { initParams } from './init-params.js';
import { lrStep } from './lr-step.js';
import { OptimizerState, type OptimizerConfig } from './optimizer-state.js';
import { resolveKernels, type ResolvedKernels } from './resolve-kernels.js';
import type { Batch, MethodOptions, Params, StepContext, StepResult } from './step-types.js';

export interface RuntimeOptions {
  network: Network;
  backend: string;
  method: MethodOptions;
  optimizer: OptimizerConfig;
  seed: number;
}

export function stepFor(ctx: StepContext, batch: Batch): Promise<StepResult> {
  switch (ctx.options.method) {
    case 'bp':
      return bpStep(ctx, batch);
    case 'lr':
    case 'alr':
      return lrStep(ctx, batch);
    case 'es':
    case 'aes':
      return esStep(ctx, batch);
    default:
      return ctx.options.method satisfies never;
  }
}

export class Runtime {
  params: Params;
  readonly optimizer: OptimizerState;

  private constructor(
    readonly options: RuntimeOptions,
    readonly layers: DenseLayer[],
    readonly resolved: ResolvedKernels,
  ) {
    this.params = initParams(layers, options.seed);
    this.optimizer = new OptimizerState(options.optimizer);
  }

  static async create(options: RuntimeOptions): Promise<Runtime> {
    const layers = denseStack(options.network);
    return new Runtime(options, layers, await resolveKernels(options.backend));
  }

  dispose(): Promise<void> {
    return this.resolved.dispose();
  }

  get backend(): string {
    return this.resolved.backend;
  }

  context(step: number): StepContext {
    return { kernels: this.resolved.kernels, layers: this.layers, params: this.params, options: this.options.method, seed: this.options.seed, step };
  }

  /** Gradients of one step without applying them (probe, bridge tests). */
  gradients(batch: Batch, step: number): Promise<StepResult> {
    return stepFor(this.context(step), batch);
  }

  /** One training step; the update is skipped when the loss is not finite, so the state stays good. */
  async trainStep(batch: Batch, step: number, lr: number): Promise<StepResult> {
    const result = await this.gradients(batch, step);
    if (!Number.isFinite(result.meanLoss)) return result;
    const before = this.exportState();
    // A diverged or failed update is rolled back, so the state a caller saves is always the last good one.
    try {
      await this.optimizer.apply(this.resolved.kernels, this.params, result.gradients, lr);
    } catch (err) {
      this.importState(before.arrays, before.optimizerUpdates);
      throw err;
    }
    if (!this.finite()) this.importState(before.arrays, before.optimizerUpdates);
    return result;
  }

  /** Whether every parameter is finite (checked after each update: divergence must not reach a checkpoint). */
  finite(): boolean {
    return Object.values(this.params).every((p) => p.weights.every(Number.isFinite) && p.biases.every(Number.isFinite));
  }

  evaluate(features: Float32Array, labels: Uint8Array, count: number): Promise<Evaluation> {
    return evaluate(this.resolved.kernels, this.layers, this.params, features, labels, count);
  }

  exportState(): { arrays: Record<string, Float64Array>; optimizerUpdates: number } {
    const arrays: Record<string, Float64Array> = {};
    for (const [name, p] of Object.entries(this.params)) {
      arrays[`param.${name}.weights`] = p.weights;
      arrays[`param.${name}.biases`] = p.biases;
    }
    for (const [key, slot] of this.optimizer.slots) arrays[`optim.${key}`] = slot;
    return { arrays, optimizerUpdates: this.optimizer.updates };
  }

  importState(arrays: Record<string, Float64Array>, optimizerUpdates: number): void {
    for (const [name, p] of Object.entries(this.params)) {
      p.weights = arrays[`param.${name}.weights`] ?? p.weights;
      p.biases = arrays[`param.${name}.biases`] ?? p.biases;
    }
    this.optimizer.slots.clear();
    for (const [key, value] of Object.entries(arrays)) if (key.startsWith('optim.')) this.optimizer.slots.set(key.slice(6), value);
    this.optimizer.updates = optimizerUpdates;
  }
}
