// The training runtime: one object per run that owns the parameters and optimizer state and runs
// each training step as the compiler's step graph (stepGraph: expand, fold, fuse) executed node by
// node on one kernel backend (execute-graph.ts). Every method takes this one path; they differ only
// in the graph. Networks with batchnorm first run the BP graph's forward nodes on the clean batch to
// fix the statistics every method treats as constants (METHOD.md 7.3). The state it exports is what
// checkpoints hold. Intermediate tensors may stay on the backend's device between kernels (the
// `resident` option, default on unless ALRFLOW_RESIDENT=off); every handle a step or an evaluation
// chunk produces is disposed when it ends. Parameters and optimizer state stay host float64 arrays
// between steps, so checkpoints hold exactly what the next step reads.
import { stepGraph } from '../../compiler/compile.js';
import { resolveCompileOptions } from '../../compiler/compile-options.js';
import { keptBytes } from '../../compiler/kept-bytes.js';
import type { Graph, IrNode, Method } from '../../ir/types.js';
import { elementCount, paramLayers, type Layer, type Network, type ParamLayer } from '../../models/layers.js';
import { executeGraph } from './execute-graph.js';
import { hostNum, toF64, type ExecContext, type ExecOptions } from './exec-context.js';
import { initParams } from './init-params.js';
import { mean } from './host-ops.js';
import { LearnedSigma, sigmaGradients } from './learned-sigma.js';
import type { OptimizerConfig } from './optimizer-state.js';
import { resolveKernels, type ResolvedKernels } from './resolve-kernels.js';
import type { TransferStats } from '../../../kernels/browser/browser-device.js';
import { emptyKeptBytes, type Batch, type KeptBytes, type MethodOptions, type Params, type StepResult } from './step-types.js';

export interface RuntimeOptions {
  network: Network;
  backend: string;
  method: MethodOptions;
  optimizer: OptimizerConfig;
  seed: number;
  /** Keep intermediates on the device between kernels (default: on, unless ALRFLOW_RESIDENT=off). */
  resident?: boolean;
}

export interface Evaluation {
  loss: number;
  accuracy: number;
}

function layersByName(layers: readonly Layer[], out = new Map<string, Layer>()): Map<string, Layer> {
  for (const layer of layers) {
    out.set(layer.name, layer);
    if (layer.kind === 'residual') layersByName(layer.body, out);
  }
  return out;
}

const isUpdate = (n: IrNode): boolean => n.kind === 'OptimizerUpdate';

export class Runtime {
  params: Params;
  /** Optimizer state per layer (SGD velocity, or Adam m then v), and the updates applied so far. */
  readonly optimizerState = new Map<string, Float64Array>();
  optimizerUpdates = 0;
  /** Learned sigma per layer (LR/ALR with learnSigma); undefined when sigma is fixed. */
  readonly sigma: LearnedSigma | undefined;
  readonly layers: ParamLayer[];
  private readonly graphs = new Map<string, Graph>();
  private readonly layerMap: Map<string, Layer>;

  private constructor(
    readonly options: RuntimeOptions,
    readonly resolved: ResolvedKernels,
  ) {
    this.layers = paramLayers(options.network.layers);
    this.layerMap = layersByName(options.network.layers);
    this.params = initParams(this.layers, options.seed);
    const m = options.method;
    this.sigma = m.learnSigma ? new LearnedSigma(this.layers, { ...m, learnSigma: m.learnSigma }) : undefined;
  }

  static async create(options: RuntimeOptions): Promise<Runtime> {
    return new Runtime(options, await resolveKernels(options.backend, options.resident));
  }

  dispose(): Promise<void> {
    return this.resolved.dispose();
  }

  get backend(): string {
    return this.resolved.backend;
  }

  /** Per kernel, the backend(s) that ran it so far. */
  kernelBackends(): Record<string, string> {
    return this.resolved.kernelBackends();
  }

  /** Node <-> device transfer totals where the device is another process (browser-*). */
  transfer(): TransferStats | undefined {
    return this.resolved.transfer();
  }

  /** The step graph of `method` for a batch of `batch` rows (compiled once per shape). */
  graph(method: Method, batch: number): Graph {
    const key = `${method}/${batch}`;
    let g = this.graphs.get(key);
    if (!g) {
      const m = this.options.method;
      const layerwise = (method === 'lr' || method === 'alr') && m.layerwise;
      g = stepGraph(this.options.network, resolveCompileOptions({ method, copies: m.copies, batch, schedule: 'sequential', layerwise, optimizer: this.options.optimizer.kind }));
      this.graphs.set(key, g);
    }
    return g;
  }

  private context(graph: Graph, batch: Batch, step: number, lr: number): ExecContext {
    const env: ExecContext['env'] = new Map([['x', batch.x]]);
    for (const [name, p] of Object.entries(this.params)) {
      const flat = new Float64Array(p.weights.length + p.biases.length);
      flat.set(p.weights);
      flat.set(p.biases, p.weights.length);
      env.set(`${name}.params`, flat);
    }
    for (const [name, s] of this.optimizerState) env.set(`${name}.opt`, s);
    const m = this.options.method;
    const options: ExecOptions = { sigma: m.sigma, ...(this.sigma ? { layerSigma: this.sigma.values } : {}), baseline: m.baseline, encoding: m.encoding, antithetic: m.antithetic, seed: this.options.seed, step, lr, optimizer: this.options.optimizer, updateCount: this.optimizerUpdates + 1 };
    const paramMap = new Map(this.layers.map((layer, index) => [layer.name, { layer, index }]));
    return { graph, kernels: this.resolved.kernels, device: this.resolved.device, paramLayers: paramMap, layers: this.layerMap, env, labels: batch.labels, bnStats: new Map(), losses: [], options };
  }

  /** Runs every node but the updates; returns the context (holding the gradients) and the step's result. */
  private async runStep(batch: Batch, step: number, lr: number): Promise<{ ctx: ExecContext; result: StepResult }> {
    const method = this.options.method.method;
    const ctx = this.context(this.graph(method, batch.samples), batch, step, lr);
    if (method !== 'bp' && this.layers.some((l) => l.kind === 'batchnorm')) {
      // Clean-pass batchnorm statistics, from the BP graph's forward nodes on the same batch.
      const clean = { ...ctx, graph: this.graph('bp', batch.samples), env: new Map(ctx.env), losses: [] };
      await executeGraph(clean, (n) => n.phase === 'forward');
    }
    await executeGraph(ctx, (n) => !isUpdate(n));
    const gradients: Params = {};
    for (const layer of this.layers) {
      const g = toF64(ctx.env.get(`${layer.name}.grad`) as Float64Array);
      const w = this.params[layer.name]!.weights.length;
      gradients[layer.name] = { weights: g.subarray(0, w), biases: g.subarray(w) };
    }
    const meanLoss = ctx.losses.reduce((s, l) => s + mean(l), 0) / ctx.losses.length;
    const sigma = this.sigma ? { sigmaGradients: await sigmaGradients(ctx) } : {};
    return { ctx, result: { meanLoss, gradients, keptBytes: this.kept(ctx.graph), ...sigma } };
  }

  private kept(graph: Graph): KeptBytes {
    return { ...emptyKeptBytes(), ...keptBytes(graph) };
  }

  /** Gradients of one step without applying them (probe, bridge tests). */
  async gradients(batch: Batch, step: number): Promise<StepResult> {
    try {
      return (await this.runStep(batch, step, 0)).result;
    } finally {
      this.resolved.releaseHandles();
    }
  }

  /** One training step; the update is skipped when the loss is not finite, so the state stays good. */
  async trainStep(batch: Batch, step: number, lr: number, sigmaLr = lr): Promise<StepResult> {
    try {
      return await this.applyStep(batch, step, lr, sigmaLr);
    } finally {
      // The step's device handles, whichever way it ended.
      this.resolved.releaseHandles();
    }
  }

  private async applyStep(batch: Batch, step: number, lr: number, sigmaLr: number): Promise<StepResult> {
    const { ctx, result } = await this.runStep(batch, step, lr);
    if (!Number.isFinite(result.meanLoss)) return result;
    await executeGraph(ctx, isUpdate);
    const next: Params = {};
    for (const layer of this.layers) {
      const flat = toF64(ctx.env.get(`${layer.name}.params.next`) as Float64Array);
      const w = this.params[layer.name]!.weights.length;
      next[layer.name] = { weights: flat.slice(0, w), biases: flat.slice(w) };
    }
    // A diverged update is dropped, so the state a caller saves is always the last good one.
    if (!Object.values(next).every((p) => p.weights.every(Number.isFinite) && p.biases.every(Number.isFinite))) return result;
    await this.sigma?.update(ctx.kernels, result.sigmaGradients ?? {}, sigmaLr, this.options.optimizer, this.optimizerUpdates + 1);
    this.params = next;
    for (const layer of this.layers) this.optimizerState.set(layer.name, toF64(ctx.env.get(`${layer.name}.opt.next`) as Float64Array));
    this.optimizerUpdates++;
    return result;
  }

  /** Whether every parameter is finite (checked after each update: divergence must not reach a checkpoint). */
  finite(): boolean {
    return Object.values(this.params).every((p) => p.weights.every(Number.isFinite) && p.biases.every(Number.isFinite));
  }

  /** Mean loss and accuracy over a split: the BP graph's forward and loss nodes, in chunks. */
  async evaluate(features: Float32Array, labels: Uint8Array, count: number, chunk = 500): Promise<Evaluation> {
    const width = elementCount(this.options.network.inputShape);
    const classes = this.options.network.classes;
    let lossSum = 0;
    let correct = 0;
    for (let start = 0; start < count; start += chunk) {
      const rows = Math.min(chunk, count - start);
      const batch: Batch = { x: Float64Array.from(features.subarray(start * width, (start + rows) * width)), labels: Int32Array.from(labels.subarray(start, start + rows)), samples: rows };
      const ctx = this.context(this.graph('bp', rows), batch, 0, 0);
      await executeGraph(ctx, (n) => n.phase === 'forward' || n.phase === 'loss');
      const lossNode = ctx.graph.nodes.find((n) => n.kind === 'Loss')!;
      const logits = await hostNum(ctx, lossNode.inputs[0]!);
      this.resolved.releaseHandles();
      lossSum += ctx.losses[0]!.reduce((a, b) => a + b, 0);
      for (let r = 0; r < rows; r++) {
        let best = 0;
        for (let c = 1; c < classes; c++) if (logits[r * classes + c]! > logits[r * classes + best]!) best = c;
        if (best === batch.labels[r]) correct++;
      }
    }
    return { loss: lossSum / count, accuracy: correct / count };
  }

  exportState(): { arrays: Record<string, Float64Array>; optimizerUpdates: number } {
    const arrays: Record<string, Float64Array> = {};
    for (const [name, p] of Object.entries(this.params)) {
      arrays[`param.${name}.weights`] = p.weights;
      arrays[`param.${name}.biases`] = p.biases;
    }
    for (const [name, s] of this.optimizerState) arrays[`optim.${name}`] = s;
    if (this.sigma) Object.assign(arrays, this.sigma.exportState());
    return { arrays, optimizerUpdates: this.optimizerUpdates };
  }

  importState(arrays: Record<string, Float64Array>, optimizerUpdates: number): void {
    for (const [name, p] of Object.entries(this.params)) {
      p.weights = arrays[`param.${name}.weights`] ?? p.weights;
      p.biases = arrays[`param.${name}.biases`] ?? p.biases;
    }
    this.optimizerState.clear();
    for (const [key, value] of Object.entries(arrays)) if (key.startsWith('optim.')) this.optimizerState.set(key.slice(6), value);
    this.optimizerUpdates = optimizerUpdates;
    this.sigma?.importState(arrays);
  }
}
