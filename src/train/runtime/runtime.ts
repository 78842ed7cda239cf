// The training runtime: one object per run that owns the parameters and optimizer state and runs
// each training step as a compiled step graph (graph-cache.ts) executed node by node on one kernel
// backend (execute-graph.ts). Every method takes this one path; they differ only in the graph. A
// micro-batched step runs the node instances the step graph declares (src/ir/step-instances.ts: its
// micro-batches, each a row slice of the batch, and per-step nodes), and sums the micro-batches'
// gradients as the graph's accumulation says (host-step.ts). Under staleness 1 the graph's updates apply a
// stale-gradient buffer (a step port the runtime fills with the previous step's gradient, which a
// checkpoint holds) and leave this step's gradient in it (the forward-only pipeline's semantics). With
// batchnorm, the noisy methods' graphs carry the clean pass that fixes the statistics (METHOD.md 7.3).
// Intermediate tensors may stay on the backend's device between kernels (`resident`, default on
// unless ALRFLOW_RESIDENT=off); every handle a step or an evaluation chunk produces is disposed
// when it ends. Parameters and optimizer state stay host arrays between steps, so checkpoints
// (state-io.ts) hold exactly what the next step reads: float64, or the float32 arrays a float32
// kernel's update left, whose float64 copies are made when the state is read (float32-state.ts);
// where the backend has device operations (gpu.js GPU modes; tfjs-wasm for steps without noise),
// they stay on the device instead (resident-step.ts, residency.ts: a micro-batched step sums its
// micro-batches' gradients there; learned sigma, its gradient and, under staleness 1, the sigma gradient
// the next step applies stay there too) and a step reads back only its loss and the finiteness of its
// update; syncHost() brings the host copies up to date (checkpoints).
import { updateInputs } from '../../compiler/insert-stale-gradients.js';
import { elementCount } from '../../ir/graph.js';
import type { Graph, ParamDecl } from '../../ir/types.js';
import type { StepSource } from '../../compiler/step-source.js';
import { evaluateSplit, type Evaluation } from './evaluate.js';
import { executeGraph, type NodeProfile } from './execute-graph.js';
import type { ExecContext } from './exec-context.js';
import { DeviceConstants } from './device-constants.js';
import { StepBuffers } from './step-buffers.js';
import { DeviceState } from './device-state.js';
import { syncFromDevice } from './device-sync.js';
import { Float32State, type StateRole } from './float32-state.js';
import type { TransferStats } from '../../../kernels/browser/browser-device.js';
import type { DeviceTransfers } from '../../../kernels/device-transfers.js';
import type { NumArray } from '../../../kernels/names.js';
import { allFinite } from '../../../kernels/registry-checks.js';
import { GraphCache, type StepSchedule } from './graph-cache.js';
import { hostGradients, type HostRun } from './host-step.js';
import { initParams } from './init-params.js';
import { LearnedSigma } from './learned-sigma.js';
import type { OptimizerConfig } from './optimizer-state.js';
import { ResidencyCheck, type Residency } from './residency.js';
import { uploadStepInputs } from './resident-inputs.js';
import { residentStep } from './resident-step.js';
import { resolveKernels, type ResolvedKernels } from './resolve-kernels.js';
import { exportArrays, importArrays, type RuntimeState } from './state-io.js';
import { StepContexts, type Rates } from './step-context.js';
import { inputValue } from './step-inputs.js';
import { flatParams, hostOutputsOf, outputsOf, paramsOfBuffer, splitLayer, widened } from './step-outputs.js';
import { isUpdate } from './step-parts.js';
import type { Batch, MethodOptions, Params, StepResult } from './step-types.js';

export type { Evaluation } from './evaluate.js';
export type { Residency } from './residency.js';

export interface RuntimeOptions {
  /** The network as the compiler holds it: the runtime gets its step graphs from it and reads nothing else. */
  network: StepSource;
  backend: string;
  method: MethodOptions;
  optimizer: OptimizerConfig;
  seed: number;
  /** Keep intermediates on the device between kernels (default: on, unless ALRFLOW_RESIDENT=off). */
  resident?: boolean;
  /** The compiler's schedule the step runs under (absent: sequential, one part, staleness 0). */
  schedule?: StepSchedule;
  /** Starting parameters by layer name (an imported file's initializers); absent: the seeded initialisation. */
  initialParams?: Params;
}

const finiteParams = (p: Params): boolean => Object.values(p).every((l) => allFinite(l.weights) && allFinite(l.biases));

export class Runtime {
  readonly state: RuntimeState;
  optimizerUpdates = 0;
  /** The parametrised layers as the step graph declares them. */
  readonly layers: ParamDecl[];
  readonly graphs: GraphCache;
  /** Measured time per node, summed over the steps run while it is set (train --profile). */
  profile: Map<string, NodeProfile> | undefined;
  /** Parameters and optimizer state kept on the device between steps (resident steps only). */
  private readonly onDevice = new DeviceState();
  /** Whether the step graphs run resident, and why not (residency.ts). */
  private readonly residencyCheck: ResidencyCheck;
  /** Constants made on the device for resident steps (zeros, ones, the fixed sigma), kept for the run. */
  private readonly constants: DeviceConstants;
  /** The step graphs' execution contexts, filled from this run's state. */
  private readonly contexts: StepContexts;
  /** Whether the last update was dropped for non-finite parameters (the run has diverged). */
  private rejected = false;
  /** Float32 parameters and optimizer state of the last update, not yet copied into `state` (float32-state.ts). */
  private readonly float32 = new Float32State();

  private constructor(
    readonly options: RuntimeOptions,
    readonly resolved: ResolvedKernels,
  ) {
    const m = options.method;
    this.graphs = new GraphCache(options.network, m, options.optimizer, options.schedule);
    // The run's own step graph (one sample): compiling it checks the run's options once, here.
    const graph = this.graphs.plain(1);
    this.layers = graph.params;
    const learned = new Set(graph.inputs.filter((p) => p.role === 'sigma').map((p) => p.layer));
    const sigmaLayers = this.layers.filter((l) => learned.has(l.layer));
    const sigma = m.learnSigma ? new LearnedSigma(sigmaLayers, { ...m, learnSigma: m.learnSigma }) : undefined;
    const params = options.initialParams ?? initParams(this.layers, options.seed);
    this.state = { params, optimizerState: new Map(), sigma, pending: undefined };
    this.constants = new DeviceConstants((h) => resolved.keep(h));
    this.residencyCheck = new ResidencyCheck(resolved, this.graphs);
    const held = { state: this.state, onDevice: this.onDevice, float32: this.float32 };
    this.contexts = new StepContexts({
      method: m,
      optimizer: options.optimizer,
      seed: options.seed,
      resolved,
      graphs: this.graphs,
      constants: this.constants,
      buffers: new StepBuffers(),
      input: (port, batch) => inputValue(port, batch, held),
      sigma: () => this.sigma,
      updateCount: () => this.optimizerUpdates + 1,
      resident: () => this.residentSteps,
      profile: () => this.profile,
    });
  }

  static async create(options: RuntimeOptions): Promise<Runtime> {
    return new Runtime(options, await resolveKernels(options.backend, options.resident));
  }

  async dispose(): Promise<void> {
    this.onDevice.clear();
    await this.constants.clear();
    return this.resolved.dispose();
  }

  get backend(): string {
    return this.resolved.backend;
  }

  /** Per kernel, the backend(s) that ran it so far. */
  kernelBackends(): Record<string, string> {
    return this.resolved.kernelBackends();
  }

  /** Host <-> device uploads and downloads so far (gpu.js GPU modes), else undefined. */
  deviceTransfers(): DeviceTransfers | undefined {
    return this.resolved.deviceTransfers();
  }

  /** Node <-> device transfer totals where the device is another process (browser-*). */
  transfer(): TransferStats | undefined {
    return this.resolved.transfer();
  }

  get params(): Params {
    if (this.onDevice.stale) throw new Error('runtime: the parameters are on the device; await syncHost() first');
    this.widenFloat32();
    return this.state.params;
  }

  set params(p: Params) {
    this.float32.take('params');
    this.state.params = p;
  }

  get optimizerState(): Map<string, Float64Array> {
    this.widenFloat32();
    return this.state.optimizerState;
  }

  /** A layer's parameter buffer (weights then biases) as the runtime's state: a new params object. */
  private setParamBuffer(layer: string, flat: Float64Array): void {
    this.state.params = { ...this.state.params, [layer]: paramsOfBuffer(flat, this.layerWeights(layer)) };
  }

  /** Copies the kept float32 parameters and optimizer state into `state` as float64 (the same values). */
  private widenFloat32(): void {
    for (const [layer, values] of this.float32.take('params')) this.setParamBuffer(layer, widened(values));
    for (const [layer, values] of this.float32.take('optimizer-state'))
      this.state.optimizerState.set(layer, widened(values));
  }

  /** An update's results of one role as the runtime's state: float32 arrays kept as they are, float64 ones stored. */
  private commit(role: StateRole, outputs: Map<string, NumArray>): void {
    for (const [layer, values] of outputs) {
      if (values instanceof Float32Array) {
        this.float32.set(role, layer, values);
        continue;
      }
      this.float32.delete(role, layer);
      if (role === 'params') this.setParamBuffer(layer, values);
      else this.state.optimizerState.set(layer, values);
    }
  }

  /** Learned sigma per layer (LR/ALR with learnSigma); undefined when sigma is fixed. */
  get sigma(): LearnedSigma | undefined {
    return this.state.sigma;
  }

  /** Gradients of one step without applying them (probe, bridge tests). */
  async gradients(batch: Batch, step: number): Promise<StepResult> {
    try {
      return (await hostGradients(this.hostRun, batch, step, { lr: 0, sigmaLr: 0 })).result;
    } finally {
      this.resolved.releaseHandles();
    }
  }

  /** One training step; the update is skipped when the loss is not finite, so the state stays good. */
  async trainStep(batch: Batch, step: number, lr: number, sigmaLr = lr): Promise<StepResult> {
    try {
      return await this.applyStep(batch, step, { lr, sigmaLr });
    } finally {
      // The step's device handles, whichever way it ended.
      this.resolved.releaseHandles();
    }
  }

  /** What the host path (host-step.ts) reads of this run. */
  private get hostRun(): HostRun {
    return {
      contexts: this.contexts,
      layerWeights: (layer) => this.layerWeights(layer),
      learnsSigma: this.sigma !== undefined,
    };
  }

  /**
   * Staleness 1: the gradients the step's updates left in their stale buffers (this step's), which the
   * next step applies; a checkpoint holds them.
   */
  private async staleOutputs(ctx: ExecContext): Promise<RuntimeState['pending']> {
    const gradients: Params = {};
    for (const [layer, flat] of await outputsOf(ctx, 'stale-gradient'))
      gradients[layer] = splitLayer(flat, this.layerWeights(layer));
    const sigma = await outputsOf(ctx, 'stale-sigma-gradient');
    return { gradients, ...(sigma.size > 0 ? { sigmaGradients: Object.fromEntries(sigma) } : {}) };
  }

  /** The weights' share of a layer's parameter buffer (weights then biases). */
  private layerWeights(layer: string): number {
    const decl = this.layers.find((d) => d.layer === layer);
    if (!decl) throw new Error(`runtime: no parametrised layer ${layer}`);
    return decl.weights;
  }

  /** Whether this run's steps keep their state on the device; where not, why (residency.ts). */
  residency(): Residency {
    return this.residencyCheck.of();
  }

  private get residentSteps(): boolean {
    return this.residency().resident;
  }

  /** A step whose state stays on the device (resident-step.ts). */
  private async applyResidentStep(batch: Batch, step: number, rates: Rates): Promise<StepResult> {
    const run = {
      resolved: this.resolved,
      contexts: this.contexts,
      onDevice: this.onDevice,
      pendingOnHost: this.state.pending !== undefined,
    };
    const { result, update } = await residentStep(run, batch, step, rates);
    if (update === 'rejected') this.rejected = true;
    if (update === 'applied') this.optimizerUpdates++;
    return result;
  }

  /** Brings the host parameters and optimizer state up to the device's (a checkpoint reads them). */
  async syncHost(): Promise<void> {
    if (!this.onDevice.stale) return;
    await syncFromDevice(this.onDevice, this.state, (layer) => this.layerWeights(layer));
  }

  private async applyStep(batch: Batch, step: number, rates: Rates): Promise<StepResult> {
    if (this.residentSteps) return this.applyResidentStep(batch, step, rates);
    const { ctx, result, combined } = await hostGradients(this.hostRun, batch, step, rates);
    if (!Number.isFinite(result.meanLoss)) return result;
    const stale = ctx.graph.inputs.some((p) => p.role === 'stale-gradient');
    if (stale && !this.state.pending) {
      // The first step under staleness 1 has no earlier gradient to apply: its own waits for the next step.
      const sigma = result.sigmaGradients ? { sigmaGradients: result.sigmaGradients } : {};
      this.state.pending = { gradients: result.gradients, ...sigma };
      return result;
    }
    // The update reads the step's gradient under its own input id (after an all-reduce or a transfer, not
    // `.grad`); the graph left one micro-batch's there, so a combined one is written.
    if (combined) {
      for (const n of ctx.graph.nodes) {
        if (!isUpdate(n) || n.layer === undefined) continue;
        const gradient =
          n.target === 'sigma' ? result.sigmaGradients?.[n.layer] : flatParams(result.gradients[n.layer]!);
        if (!gradient) throw new Error(`runtime: no gradient to apply for ${n.id}`);
        ctx.env.set(updateInputs(n).fresh, gradient);
      }
    }
    await executeGraph(ctx, isUpdate);
    if (stale) this.state.pending = await this.staleOutputs(ctx);
    const next = await hostOutputsOf(ctx, 'params');
    // A diverged update is dropped, so the state a caller saves is always the last good one.
    if (![...next.values()].every(allFinite)) {
      this.rejected = true;
      return result;
    }
    this.sigma?.accept(await outputsOf(ctx, 'sigma'), await outputsOf(ctx, 'sigma-optimizer-state'));
    this.commit('params', next);
    this.commit('optimizer-state', await hostOutputsOf(ctx, 'optimizer-state'));
    this.optimizerUpdates++;
    return result;
  }

  /**
   * Whether the run's parameters are finite: false once an update was dropped for non-finite values
   * (checked after each update, on the device for resident steps: divergence must not reach a checkpoint).
   */
  finite(): boolean {
    if (this.rejected) return false;
    if (this.onDevice.stale) return true;
    const host = Object.entries(this.state.params).filter(([layer]) => !this.float32.has('params', layer));
    return this.float32.finiteParams() && finiteParams(Object.fromEntries(host));
  }

  /** Mean loss and accuracy over a split: the BP graph's forward and loss nodes, in chunks. */
  evaluate(features: Float32Array, labels: Uint8Array, count: number, chunk = 500): Promise<Evaluation> {
    const plain = this.graphs.evaluation(1);
    const loss = plain.nodes.find((n) => n.kind === 'Loss');
    if (loss?.kind !== 'Loss')
      throw new Error(`runtime: the evaluation graph of ${plain.meta.network} has no Loss node`);
    const host = {
      width: elementCount(plain.tensors[plain.inputs.find((p) => p.role === 'batch')!.tensor]!.shape.slice(1)),
      classes: loss.classes,
      graph: (rows: number) => this.graphs.evaluation(rows),
      context: async (graph: Graph, batch: Batch) => {
        const ctx = this.contexts.context(graph, batch, 0, { lr: 0, sigmaLr: 0 }, 0, false);
        // Resident: the chunk and any parameters still on the host (before the first step) go up once.
        if (ctx.ops) await uploadStepInputs(ctx, ctx.ops);
        return ctx;
      },
      releaseHandles: () => this.resolved.releaseHandles(),
    };
    return evaluateSplit(host, features, labels, count, chunk);
  }

  exportState(): { arrays: Record<string, Float64Array>; optimizerUpdates: number } {
    if (this.onDevice.stale) throw new Error('runtime: the state is on the device; await syncHost() first');
    this.widenFloat32();
    return { arrays: exportArrays(this.state), optimizerUpdates: this.optimizerUpdates };
  }

  importState(arrays: Record<string, Float64Array>, optimizerUpdates: number): void {
    this.onDevice.clear();
    this.widenFloat32();
    importArrays(this.state, arrays);
    this.optimizerUpdates = optimizerUpdates;
    this.rejected = false;
  }
}
