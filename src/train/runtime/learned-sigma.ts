// Learned sigma for LR/ALR in the runtime (METHOD.md 2.1 and 7 item 4), as src/estimators/lr.ts does
// it: per parametrised layer one noise std per output unit (linear) or output channel (conv,
// batchnorm); dF/dsigma_c = 1/(N K) sum over rows and spatial positions of L~ (eps^2 - 1) / sigma_c,
// with L~ the pass's baselined loss (also under ALR's sign-signal reading, which signs only the
// weight signal). LR reads the float noise the graph keeps. ALR keeps only sign bits, so the
// magnitudes are regenerated from the counter RNG after the loss (the foundation's 'regenerate'
// storage): nothing more is kept until the loss, so the kept-bytes account is unchanged. The update
// is the run's optimizer on the backend's update kernels, followed by a floor that keeps sigma > 0.
// Not here: the graph nodes (the compiler's step graph has no sigma nodes; this runs beside them).
import { isDeviceTensor } from '../../../kernels/device-tensor.js';
import type { KernelTable } from '../../../kernels/names.js';
import { InvalidInputError } from '../../errors.js';
import { sigmaGradient } from '../../estimators/lr.js';
import { outputChannels } from '../../estimators/params.js';
import type { IrNode } from '../../ir/types.js';
import type { ParamLayer } from '../../models/layers.js';
import { channelsSpatial, num, toF64, type ExecContext } from './exec-context.js';
import { baselinedLoss } from './exec-loss.js';
import { drawEps, sigmaOf } from './exec-noise.js';
import { applyOptimizer } from './exec-update.js';
import type { OptimizerConfig } from './optimizer-state.js';
import type { LearnSigmaOptions, MethodOptions } from './step-types.js';

type Dims = { rows: number; channels: number; spatial: number };

/** The float noise of a forward injection: kept floats (LR; a device handle is downloaded), else regenerated from the counter RNG. */
async function noiseOf(ctx: ExecContext, node: Extract<IrNode, { kind: 'NoiseInject' }>, dims: Dims): Promise<Float64Array> {
  const kept = node.outputs[1];
  const value = kept === undefined || ctx.graph.tensors[kept]?.dtype === 'bit' ? undefined : ctx.env.get(kept);
  if (isDeviceTensor(value)) return toF64(await value.download());
  if (value !== undefined) return toF64(num(ctx, kept!));
  return drawEps(ctx, node, dims.rows, dims.channels * dims.spatial);
}

/**
 * Sigma gradients of every noisy layer after the step graph ran up to its gradients. A forward
 * injection belongs to the pass of the next Loss node (one pass for all layers, or one per layer
 * with layer-wise injection), whose raw losses are ctx.losses in execution order.
 */
export async function sigmaGradients(ctx: ExecContext): Promise<Record<string, Float64Array>> {
  const out: Record<string, Float64Array> = {};
  const lossNodes = ctx.graph.nodes.filter((n): n is Extract<IrNode, { kind: 'Loss' }> => n.kind === 'Loss');
  let lossesBefore = 0;
  for (const node of ctx.graph.nodes) {
    if (node.kind === 'Loss') lossesBefore++;
    if (node.kind !== 'NoiseInject' || node.phase !== 'forward' || node.inputs.length === 0 || node.layer === undefined) continue;
    const dims = channelsSpatial(ctx, node.outputs[0]!);
    const raw = ctx.losses[lossesBefore];
    const lossNode = lossNodes[lossesBefore];
    if (!raw || !lossNode) throw new Error(`learned sigma: no loss computed for the pass of layer ${node.layer}`);
    out[node.layer] = sigmaGradient(await noiseOf(ctx, node, dims), baselinedLoss(raw, lossNode), sigmaOf(ctx, node.layer, dims.channels, node.sigmaSource === 'learned'), dims);
  }
  return out;
}

export interface SigmaSummary {
  mean: number;
  min: number;
  max: number;
  values: number[];
}

/** Per-layer sigma vectors, their optimizer state, and the update with its floor. */
export class LearnedSigma {
  values = new Map<string, Float64Array>();
  private readonly state = new Map<string, Float64Array>();

  readonly options: LearnSigmaOptions;

  constructor(layers: readonly ParamLayer[], method: MethodOptions & { learnSigma: LearnSigmaOptions }) {
    if (method.method !== 'lr' && method.method !== 'alr') {
      throw new InvalidInputError(`learned sigma: method ${method.method} has no activation noise to learn; allowed: lr, alr. Hint: drop learnSigma (ES/AES keep one fixed weight-space sigma)`);
    }
    const { lr, min } = method.learnSigma;
    if (!(lr > 0) || !(min > 0) || !(method.sigma >= min)) {
      throw new InvalidInputError(`learned sigma: lr ${lr}, floor ${min}, start ${method.sigma}; allowed: lr > 0 and 0 < floor <= start sigma`);
    }
    this.options = method.learnSigma;
    for (const layer of layers) this.values.set(layer.name, new Float64Array(outputChannels(layer)).fill(method.sigma));
  }

  /**
   * One optimizer update of every layer's sigma, floored at options.min. Throws (changing nothing)
   * when a result is not finite, so a diverged step never reaches the state or a checkpoint.
   */
  async update(kernels: KernelTable, gradients: Record<string, Float64Array>, lr: number, optimizer: OptimizerConfig, updateCount: number): Promise<void> {
    const values = new Map<string, Float64Array>();
    const state = new Map<string, Float64Array>();
    for (const [name, sigma] of this.values) {
      const g = gradients[name];
      if (!g) throw new Error(`learned sigma: no gradient for layer ${name}`);
      const r = await applyOptimizer(kernels, { w: sigma, g, state: this.state.get(name), lr, optimizer, updateCount });
      values.set(name, toF64(r.w).map((v) => Math.max(v, this.options.min)));
      state.set(name, r.state);
    }
    const bad = [...values].find(([name, v]) => !v.every(Number.isFinite) || !state.get(name)!.every(Number.isFinite));
    if (bad) throw new InvalidInputError(`learned sigma: non-finite sigma or optimizer state in layer ${bad[0]} after the update. Hint: lower --sigma-lr`);
    this.values = values;
    for (const [name, s] of state) this.state.set(name, s);
  }

  /** Checkpoint arrays: `sigma.<layer>` and `sigma-opt.<layer>`. */
  exportState(): Record<string, Float64Array> {
    const arrays: Record<string, Float64Array> = {};
    for (const [name, v] of this.values) arrays[`sigma.${name}`] = v;
    for (const [name, s] of this.state) arrays[`sigma-opt.${name}`] = s;
    return arrays;
  }

  importState(arrays: Record<string, Float64Array>): void {
    for (const name of this.values.keys()) {
      const v = arrays[`sigma.${name}`];
      if (!v || v.length !== this.values.get(name)!.length) {
        throw new InvalidInputError(`checkpoint: learned sigma of layer ${name} is ${v ? `${v.length} values` : 'missing'}; expected ${this.values.get(name)!.length}. Hint: resume a run that was started with --learn-sigma`);
      }
      this.values.set(name, v);
    }
    this.state.clear();
    for (const [key, value] of Object.entries(arrays)) if (key.startsWith('sigma-opt.')) this.state.set(key.slice('sigma-opt.'.length), value);
  }

  summary(): Record<string, SigmaSummary> {
    const out: Record<string, SigmaSummary> = {};
    for (const [name, v] of this.values) {
      const values = [...v];
      out[name] = { mean: values.reduce((a, b) => a + b, 0) / values.length, min: Math.min(...values), max: Math.max(...values), values };
    }
    return out;
  }
}
