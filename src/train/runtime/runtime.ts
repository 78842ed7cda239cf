// The training runtime: one object per run that owns the parameters and optimizer state and runs
// each training step as a compiled step graph (graph-cache.ts) executed node by node on one kernel
// backend (execute-graph.ts). Every method takes this one path; they differ only in the graph. A
// micro-batched step runs the node instances the step graph declares (src/ir/step-instances.ts: its
// micro-batches, each a row slice of the batch, and per-step nodes), and sums the micro-batches'
// gradients as the graph's accumulation says. Under staleness 1 the graph's updates apply a stale-gradient
// buffer (a step port the runtime fills with the previous step's gradient, which a checkpoint holds)
// and leave this step's gradient in it (the forward-only pipeline's semantics). With batchnorm, the
// noisy methods' graphs carry the clean pass that fixes the statistics (METHOD.md 7.3).
// Intermediate tensors may stay on the backend's device between kernels (`resident`, default on
// unless ALRFLOW_RESIDENT=off); every handle a step or an evaluation chunk produces is disposed
// when it ends. Parameters and optimizer state stay host arrays between steps, so checkpoints
// (state-io.ts) hold exactly what the next step reads: float64, or the float32 arrays a float32
// kernel's update left, whose float64 copies are made when the state is read (float32-state.ts);
// where the backend has device operations (gpu.js GPU modes), they stay on the device instead
// (device-state.ts; a micro-batched step sums its micro-batches' gradients there; learned sigma stays there
// too, but under staleness 1 or with micro-batches) and a
// step reads back only its loss and the finiteness of its update; syncHost() brings the host copies up to date
// (checkpoints).
import { updateInputs } from '../../compiler/insert-stale-gradients.js';
import { nonResidentReason, sigmaMicroReason } from '../../ir/resident-graph.js';
import { elementCount } from '../../ir/graph.js';
import type { Graph, GraphPort, IrNode, ParamDecl, PortRole } from '../../ir/types.js';
import type { StepSource } from '../../compiler/step-source.js';
import { evaluateSplit, type Evaluation } from './evaluate.js';
import { executeGraph, runNode, type NodeProfile } from './execute-graph.js';
import { hostNum, toF64, type EnvValue, type ExecContext, type ExecOptions } from './exec-context.js';
import { DeviceConstants } from './device-constants.js';
import {
  DeviceState,
  deviceOutputs,
  stepStatus,
  weightedSumOnDevice,
  type StateRole as DeviceRole,
} from './device-state.js';
import { checkLabels } from './exec-loss.js';
import { Float32State, type StateRole } from './float32-state.js';
import { downloadResult, isDeviceTensor, type DeviceTensor, type Resident } from '../../../kernels/device-tensor.js';
import type { DeviceOps } from '../../../kernels/device-ops.js';
import { GraphCache, type StepSchedule } from './graph-cache.js';
import { initParams } from './init-params.js';
import { mean } from './host-ops.js';
import { LearnedSigma, nonFiniteSigma } from './learned-sigma.js';
import { measureKept } from './measure-kept.js';
import { combineResults } from './micro-batches.js';
import { microBatchesOf, stepInstances, type MicroBatch } from '../../ir/step-instances.js';
import type { OptimizerConfig } from './optimizer-state.js';
import type { NumArray } from '../../../kernels/names.js';
import { resolveKernels, type ResolvedKernels } from './resolve-kernels.js';
import type { TransferStats } from '../../../kernels/browser/browser-device.js';
import type { DeviceTransfers } from '../../../kernels/device-transfers.js';
import { allFinite } from '../../../kernels/registry-checks.js';
import { exportArrays, importArrays, type RuntimeState } from './state-io.js';
import {
  type Batch,
  type KeptBytes,
  type LayerParams,
  type MethodOptions,
  type Params,
  type StepResult,
} from './step-types.js';

export type { Evaluation } from './evaluate.js';

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

/** The roles a resident step's outputs keep on the device for the next step. */
const residentRoles: readonly DeviceRole[] = [
  'params',
  'optimizer-state',
  'stale-gradient',
  'sigma',
  'sigma-optimizer-state',
];

const isUpdate = (n: IrNode): n is Extract<IrNode, { kind: 'OptimizerUpdate' }> => n.kind === 'OptimizerUpdate';
const finiteParams = (p: Params): boolean => Object.values(p).every((l) => allFinite(l.weights) && allFinite(l.biases));

/** Whether this run's steps keep their state on the device, and why not where they do not (train --profile). */
export interface Residency {
  resident: boolean;
  reason?: string;
}

/**
 * The graph's one buffer (weights then biases) behind parameters an update produced, which flatParams hands
 * out again.
 */
const flatOf = new WeakMap<LayerParams, Float64Array>();

function flatParams(p: LayerParams): Float64Array {
  let flat = flatOf.get(p);
  if (!flat) {
    flat = new Float64Array(p.weights.length + p.biases.length);
    flat.set(p.weights);
    flat.set(p.biases, p.weights.length);
  }
  return flat;
}

/** The step's learning rates: the parameters' and learned sigma's. */
interface Rates {
  lr: number;
  sigmaLr: number;
}

/**
 * The float32 array a float64 state array was copied from (a float32 kernel's update result): the next
 * step's input port gets it instead, the same values without a float64 -> float32 copy per kernel upload.
 * State arrays are replaced, never written in place, so the two cannot drift apart.
 */
const float32Source = new WeakMap<Float64Array, Float32Array>();

/** A state array as an input port takes it: its float32 source where it has one. */
const asInput = (a: Float64Array): NumArray => float32Source.get(a) ?? a;

/** The host values of the step's output ports of one role, by layer, as the kernels left them (handles downloaded). */
async function hostOutputsOf(ctx: ExecContext, role: PortRole): Promise<Map<string, NumArray>> {
  const out = new Map<string, NumArray>();
  for (const p of ctx.graph.outputs) {
    if (p.role !== role) continue;
    if (!ctx.env.has(p.tensor)) throw new Error(`runtime: the step left no ${role} in its output port ${p.tensor}`);
    out.set(p.layer!, await hostNum(ctx, p.tensor));
  }
  return out;
}

/** A host array as float64, remembering a float32 source (asInput). */
function widened(host: NumArray): Float64Array {
  const values = toF64(host);
  if (host instanceof Float32Array) float32Source.set(values, host);
  return values;
}

/** The host values of the step's output ports of one role, by layer, as float64 (device handles downloaded). */
async function outputsOf(ctx: ExecContext, role: PortRole): Promise<Map<string, Float64Array>> {
  const out = new Map<string, Float64Array>();
  for (const [layer, host] of await hostOutputsOf(ctx, role)) out.set(layer, widened(host));
  return out;
}

/** Learned sigma's gradient per layer, as the step graph's sigma-gradient ports hold it. */
async function sigmaGradientsOf(ctx: ExecContext): Promise<Record<string, Float64Array>> {
  return Object.fromEntries(await outputsOf(ctx, 'sigma-gradient'));
}

/** The input roles a resident step uploads once where they are on the host. */
const UPLOADED_ROLES: ReadonlySet<PortRole> = new Set([
  'batch',
  'params',
  'optimizer-state',
  'stale-gradient',
  'sigma',
  'sigma-optimizer-state',
]);

/**
 * A resident step's host inputs go up once, not with every kernel that reads them: the batch
 * (src/ir/host-transfers.ts), and parameters, optimizer state, a stale gradient and learned sigma still on the host
 * (the run's first step, or the first after a checkpoint was loaded).
 */
async function uploadStepInputs(ctx: ExecContext, ops: DeviceOps): Promise<void> {
  for (const port of ctx.graph.inputs) {
    if (!UPLOADED_ROLES.has(port.role)) continue;
    const value = ctx.env.get(port.tensor);
    if (value !== undefined && !isDeviceTensor(value) && !(value instanceof Uint32Array))
      ctx.env.set(port.tensor, await ops.slice(value, 0, value.length));
  }
}

type UpdateNode = Extract<IrNode, { kind: 'OptimizerUpdate' }>;

/** A tensor a resident step left on the device. */
function deviceValue(ctx: ExecContext, id: string): DeviceTensor {
  const value = ctx.env.get(id);
  if (!isDeviceTensor(value)) throw new Error(`runtime: the resident step left ${id} on the host`);
  return value;
}

/** The largest kept bytes of the step's micro-batches per class (one is live at a time). */
function keptOf(parts: readonly ExecContext[]): KeptBytes {
  const kept = parts.map(measureKept);
  const out = { ...kept[0]! };
  for (const k of kept)
    for (const cls of Object.keys(out) as (keyof KeptBytes)[]) out[cls] = Math.max(out[cls], k[cls]);
  return out;
}

/**
 * A micro-batched resident step's inputs: the batch and its labels go up once (labels checked) and each
 * micro-batch reads its rows sliced on the device; the state the first micro-batch uploads (where it is
 * on the host) is the others' too.
 */
async function shareStepInputs(
  ops: DeviceOps,
  whole: Graph,
  parts: readonly ExecContext[],
  batch: Batch,
  micro: readonly MicroBatch[],
): Promise<void> {
  const loss = whole.nodes.find((n) => n.kind === 'Loss');
  if (loss?.kind === 'Loss') checkLabels(batch.labels, loss);
  const x = await ops.slice(batch.x, 0, batch.x.length);
  const labels = await ops.slice(Float32Array.from(batch.labels), 0, batch.labels.length);
  const width = batch.x.length / batch.samples;
  for (const [p, ctx] of parts.entries()) {
    const { firstSample, samples } = micro[p]!;
    for (const port of ctx.graph.inputs.filter((q) => q.role === 'batch'))
      ctx.env.set(port.tensor, await ops.slice(x, firstSample * width, samples * width));
    ctx.deviceLabels = new Map([['rows', await ops.slice(labels, firstSample, samples)]]);
  }
  await uploadStepInputs(parts[0]!, ops);
  const shared = new Map(parts[0]!.graph.inputs.map((q) => [`${q.role}/${q.layer}`, parts[0]!.env.get(q.tensor)]));
  for (const ctx of parts.slice(1))
    for (const port of ctx.graph.inputs) {
      const value = shared.get(`${port.role}/${port.layer}`);
      if (UPLOADED_ROLES.has(port.role) && port.role !== 'batch' && value !== undefined)
        ctx.env.set(port.tensor, value);
    }
}

/** A node's id with its core numbers left out (a Transfer names the first core of the stage it feeds). */
const coreFree = (id: string): string => id.replace(/core\d+/g, 'core*');

/**
 * Each node of the whole step's graph with its counterpart in a micro-batch's graph (compiled for the
 * micro-batch's rows with the step's stage cuts: the same nodes in the same order, though the cores a
 * stage runs on, and so its Transfers' names, may differ).
 */
function counterparts(whole: Graph, part: Graph): Map<string, IrNode> {
  if (whole === part) return new Map(whole.nodes.map((n) => [n.id, n]));
  const byKey = new Map<string, IrNode[]>();
  for (const n of part.nodes) byKey.set(coreFree(n.id), [...(byKey.get(coreFree(n.id)) ?? []), n]);
  return new Map(
    whole.nodes.map((n) => {
      const own = byKey.get(coreFree(n.id))?.shift();
      if (!own) throw new Error(`runtime: the graph of a micro-batch (${part.meta.batch} rows) has no node ${n.id}`);
      return [n.id, own];
    }),
  );
}

/** A step's last graph context and result; `combined` when summed over several micro-batches. */
interface StepRun {
  ctx: ExecContext;
  result: StepResult;
  combined: boolean;
}

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
  /** Why the step graphs are not of the form resident steps run (nonResidentReason; '' when they are), once known. */
  private graphReason: string | undefined;
  /** Constants made on the device for resident steps (zeros, ones, the fixed sigma), kept for the run. */
  private readonly constants: DeviceConstants;
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
    const w = this.layerWeights(layer);
    const next = { weights: flat.subarray(0, w), biases: flat.subarray(w) };
    flatOf.set(next, flat);
    this.state.params = { ...this.state.params, [layer]: next };
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

  /** The value an input port starts a step with (none for optimizer state before the first update). */
  private inputValue(port: GraphPort, batch: Batch): EnvValue | undefined {
    const layer = port.layer ?? '';
    switch (port.role) {
      case 'batch':
        return batch.x;
      case 'params':
        return (
          this.onDevice.get('params', layer) ??
          this.float32.get('params', layer) ??
          asInput(flatParams(this.state.params[layer]!))
        );
      case 'optimizer-state': {
        const state = this.state.optimizerState.get(layer);
        const kept = this.float32.get('optimizer-state', layer);
        return this.onDevice.get('optimizer-state', layer) ?? kept ?? (state && asInput(state));
      }
      case 'sigma':
      case 'sigma-optimizer-state':
        return this.onDevice.get(port.role, layer) ?? this.sigma?.input(port.role, layer);
      case 'stale-gradient': {
        const late = this.state.pending?.gradients[layer];
        return this.onDevice.get('stale-gradient', layer) ?? (late && flatParams(late));
      }
      case 'stale-sigma-gradient':
        return this.state.pending?.sigmaGradients?.[layer];
      default:
        // The labels reach the Loss nodes as the batch's integers (ctx.labels).
        return undefined;
    }
  }

  private context(
    graph: Graph,
    batch: Batch,
    step: number,
    rates: Rates,
    firstSample = 0,
    profiled = true,
  ): ExecContext {
    const env: ExecContext['env'] = new Map();
    for (const port of graph.inputs) {
      const value = this.inputValue(port, batch);
      if (value !== undefined) env.set(port.tensor, value);
    }
    const m = this.options.method;
    const learnedSigma = this.sigma ? { learnedSigma: { lr: rates.sigmaLr, floor: this.sigma.options.min } } : {};
    const options: ExecOptions = {
      sigma: m.sigma,
      ...learnedSigma,
      seed: this.options.seed,
      step,
      firstSample,
      lr: rates.lr,
      optimizer: this.options.optimizer,
      updateCount: this.optimizerUpdates + 1,
    };
    return {
      graph,
      kernels: this.resolved.kernels,
      device: this.resolved.device,
      params: new Map(graph.params.map((p) => [p.layer, p])),
      env,
      labels: batch.labels,
      losses: [],
      ...(this.resolved.ops && this.residentSteps ? { ops: this.resolved.ops, constants: this.constants } : {}),
      options,
      ...(this.profile && profiled ? { profile: this.profile } : {}),
    };
  }

  /** A micro-batch's context: its rows of the batch, on the step graph compiled for its rows. */
  private partContext(batch: Batch, part: MicroBatch, step: number, rates: Rates): ExecContext {
    const { firstSample, samples } = part;
    const width = batch.x.length / batch.samples;
    const rows: Batch = {
      x: batch.x.subarray(firstSample * width, (firstSample + samples) * width),
      labels: batch.labels.subarray(firstSample, firstSample + samples),
      samples,
    };
    return this.context(this.graphs.step(samples), rows, step, rates, firstSample);
  }

  /** One micro-batch's result: its gradient ports, mean loss and kept bytes. */
  private async partResult(ctx: ExecContext): Promise<StepResult> {
    const gradients: Params = {};
    for (const [layer, g] of await outputsOf(ctx, 'gradient')) {
      const w = this.layerWeights(layer);
      gradients[layer] = { weights: g.subarray(0, w), biases: g.subarray(w) };
    }
    const losses = await Promise.all(ctx.losses.map((l) => downloadResult(l)));
    const meanLoss = losses.reduce((s, l) => s + mean(l), 0) / losses.length;
    const sigma = this.sigma ? { sigmaGradients: await sigmaGradientsOf(ctx) } : {};
    return { meanLoss, gradients, keptBytes: measureKept(ctx), ...sigma };
  }

  /**
   * The step's gradients: the step graph's node instances (src/ir/step-instances.ts) but the updates,
   * each micro-batch's instance run on its rows (the graph compiled for them, same node ids). A per-step
   * instance before the updates (ES's weight noise and gradient product, an all-reduce) runs on every
   * micro-batch's rows: the runtime keeps each micro-batch's gradient a mean over its rows, and the
   * accumulation the graph declares sums them weighted by rows (micro-batches.ts).
   */
  private async runStep(batch: Batch, step: number, rates: Rates): Promise<StepRun> {
    const whole = this.graphs.whole(batch.samples);
    const parts = microBatchesOf(whole.meta, batch.samples).map((m) => this.partContext(batch, m, step, rates));
    const nodesOf = parts.map((ctx) => counterparts(whole, ctx.graph));
    for (const { node, micro } of stepInstances(whole)) {
      if (isUpdate(node)) continue;
      for (const p of micro === undefined ? parts.keys() : [micro]) {
        if (p < parts.length) await runNode(parts[p]!, nodesOf[p]!.get(node.id)!);
      }
    }
    const results: StepResult[] = [];
    for (const ctx of parts) results.push(await this.partResult(ctx));
    const samples = parts.map((ctx) => ctx.labels.length);
    const result = results.length === 1 ? results[0]! : combineResults(results, samples);
    return { ctx: parts.at(-1)!, result, combined: results.length > 1 };
  }

  /** Gradients of one step without applying them (probe, bridge tests). */
  async gradients(batch: Batch, step: number): Promise<StepResult> {
    try {
      return (await this.runStep(batch, step, { lr: 0, sigmaLr: 0 })).result;
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

  /**
   * Staleness 1: the gradients the step's updates left in their stale buffers (this step's), which the
   * next step applies; a checkpoint holds them.
   */
  private async staleOutputs(ctx: ExecContext): Promise<RuntimeState['pending']> {
    const gradients: Params = {};
    for (const [layer, flat] of await outputsOf(ctx, 'stale-gradient')) {
      const w = this.layerWeights(layer);
      gradients[layer] = { weights: flat.subarray(0, w), biases: flat.subarray(w) };
    }
    const sigma = await outputsOf(ctx, 'stale-sigma-gradient');
    return { gradients, ...(sigma.size > 0 ? { sigmaGradients: Object.fromEntries(sigma) } : {}) };
  }

  /** The weights' share of a layer's parameter buffer (weights then biases). */
  private layerWeights(layer: string): number {
    const decl = this.layers.find((d) => d.layer === layer);
    if (!decl) throw new Error(`runtime: no parametrised layer ${layer}`);
    return decl.weights;
  }

  /**
   * Whether this run's steps keep their state on the device: device operations, one micro-batch where
   * sigma is learned, and a graph whose layers and nodes all have device paths (nonResidentReason); where
   * not, why.
   */
  residency(): Residency {
    const no = (reason: string): Residency => ({ resident: false, reason });
    if (!this.resolved.resident)
      return no(`backend ${this.backend} keeps no tensors on a device (or residency is off)`);
    if (this.resolved.ops === undefined)
      return no(`backend ${this.backend} has no device operations for a step's state`);
    const { microBatches } = this.graphs.layout();
    if (this.sigma && microBatches !== 1) return no(sigmaMicroReason(microBatches));
    this.graphReason ??= nonResidentReason(this.graphs.evaluation(1)) ?? nonResidentReason(this.graphs.step(1)) ?? '';
    return this.graphReason === '' ? { resident: true } : no(this.graphReason);
  }

  private get residentSteps(): boolean {
    return this.residency().resident;
  }

  /** A step whose parameters and optimizer state stay on the device: one readback (loss, update's finiteness). */
  private async applyResidentStep(batch: Batch, step: number, rates: Rates): Promise<StepResult> {
    const parts = await this.residentGradients(batch, step, rates);
    const ctx = parts.at(-1)!;
    const stale = ctx.graph.inputs.some((p) => p.role === 'stale-gradient');
    if (stale && !this.state.pending && !this.onDevice.holds('stale-gradient')) return this.firstStaleStep(parts);
    await executeGraph(ctx, isUpdate);
    const held = residentRoles.map((role) => [role, deviceOutputs(ctx, role)] as const);
    if (held.some(([, byLayer]) => !byLayer))
      throw new Error('runtime: a resident step left a parameter, state, gradient or sigma buffer on the host');
    const outputs = held as [DeviceRole, Map<string, DeviceTensor>][];
    const params = outputs.find(([role]) => role === 'params')![1];
    const sigma = outputs.filter(([role]) => role.startsWith('sigma')).flatMap(([, byLayer]) => [...byLayer]);
    const status = await stepStatus(this.resolved.ops!, parts, [...params.values(), ...sigma.map(([, h]) => h)]);
    const result = { meanLoss: status.meanLoss, gradients: {}, keptBytes: keptOf(parts) };
    if (!Number.isFinite(status.meanLoss)) return result;
    if (status.nonFiniteEach.slice(0, params.size).some((n) => n > 0)) {
      this.rejected = true;
      return result;
    }
    const badSigma = sigma.find((_, i) => status.nonFiniteEach[params.size + i]! > 0);
    if (badSigma) throw nonFiniteSigma(badSigma[0]);
    this.keepOnDevice(outputs);
    this.optimizerUpdates++;
    return result;
  }

  /**
   * The first resident step under staleness 1: no earlier gradient to apply, so its own stays on the
   * device for the next step (the updates do not run); the readback is the loss alone.
   */
  private async firstStaleStep(parts: readonly ExecContext[]): Promise<StepResult> {
    const ctx = parts.at(-1)!;
    const status = await stepStatus(this.resolved.ops!, parts, []);
    const result = { meanLoss: status.meanLoss, gradients: {}, keptBytes: keptOf(parts) };
    if (!Number.isFinite(status.meanLoss)) return result;
    const fresh = new Map<string, DeviceTensor>();
    for (const n of ctx.graph.nodes) {
      if (!isUpdate(n) || n.layer === undefined || !n.stale) continue;
      const value = ctx.env.get(updateInputs(n).fresh);
      if (!isDeviceTensor(value)) throw new Error(`runtime: the gradient ${n.id} applies next is on the host`);
      fresh.set(n.layer, value);
    }
    this.keepOnDevice([['stale-gradient', fresh]]);
    return result;
  }

  /**
   * A resident step up to its updates, as one context per micro-batch (one for a step of one part). A
   * micro-batched step runs the step graph's instances as runStep does, each micro-batch's rows sliced
   * on the device from the batch and labels uploaded once, the state uploaded once (where on the host)
   * and shared; the micro-batches' gradients are summed on the device, weighted by rows
   * (micro-batches.ts), into the last context's update inputs.
   */
  private async residentGradients(batch: Batch, step: number, rates: Rates): Promise<ExecContext[]> {
    const ops = this.resolved.ops!;
    const whole = this.graphs.whole(batch.samples);
    const micro = microBatchesOf(whole.meta, batch.samples);
    if (micro.length === 1) {
      const ctx = this.context(this.graphs.step(batch.samples), batch, step, rates);
      await uploadStepInputs(ctx, ops);
      await executeGraph(ctx, (n) => !isUpdate(n));
      return [ctx];
    }
    const parts = micro.map((m) => this.partContext(batch, m, step, rates));
    await shareStepInputs(ops, whole, parts, batch, micro);
    const nodesOf = parts.map((ctx) => counterparts(whole, ctx.graph));
    for (const { node, micro: m } of stepInstances(whole)) {
      if (isUpdate(node)) continue;
      for (const p of m === undefined ? parts.keys() : [m]) await runNode(parts[p]!, nodesOf[p]!.get(node.id)!);
    }
    const weights = micro.map((m) => m.samples / batch.samples);
    const add = (a: Resident, b: Resident) => this.resolved.device.add({ a, b });
    for (const n of whole.nodes.filter(isUpdate)) {
      const fresh = parts.map((ctx, p) => deviceValue(ctx, updateInputs(nodesOf[p]!.get(n.id) as UpdateNode).fresh));
      const into = updateInputs(nodesOf.at(-1)!.get(n.id) as UpdateNode).fresh;
      parts.at(-1)!.env.set(into, await weightedSumOnDevice(ops, add, fresh, weights));
    }
    return parts;
  }

  /** Holds a resident step's output buffers across steps (the handles leave the step's tracking). */
  private keepOnDevice(outputs: readonly (readonly [DeviceRole, Map<string, DeviceTensor>])[]): void {
    for (const [role, byLayer] of outputs)
      for (const [layer, handle] of byLayer) {
        this.resolved.keep(handle);
        this.onDevice.set(role, layer, handle);
      }
  }

  /** Brings the host parameters and optimizer state up to the device's (a checkpoint reads them). */
  async syncHost(): Promise<void> {
    if (!this.onDevice.stale) return;
    const sigma = new Map<DeviceRole, Map<string, Float64Array>>([
      ['sigma', new Map()],
      ['sigma-optimizer-state', new Map()],
    ]);
    for (const { role, layer, values } of await this.onDevice.download()) {
      const flat = Float64Array.from(values);
      if (sigma.has(role)) {
        sigma.get(role)!.set(layer, flat);
        continue;
      }
      if (role === 'stale-gradient') {
        this.state.pending ??= { gradients: {} };
        const w = this.layerWeights(layer);
        this.state.pending.gradients[layer] = { weights: flat.subarray(0, w), biases: flat.subarray(w) };
        continue;
      }
      if (role === 'optimizer-state') {
        this.state.optimizerState.set(layer, flat);
        continue;
      }
      const w = this.layerWeights(layer);
      const next = { weights: flat.subarray(0, w), biases: flat.subarray(w) };
      flatOf.set(next, flat);
      this.state.params[layer] = next;
    }
    if (this.sigma && sigma.get('sigma')!.size > 0)
      this.sigma.accept(sigma.get('sigma')!, sigma.get('sigma-optimizer-state')!);
    this.onDevice.stale = false;
  }

  private async applyStep(batch: Batch, step: number, rates: Rates): Promise<StepResult> {
    if (this.residentSteps) return this.applyResidentStep(batch, step, rates);
    const { ctx, result, combined } = await this.runStep(batch, step, rates);
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
        const ctx = this.context(graph, batch, 0, { lr: 0, sigmaLr: 0 }, 0, false);
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
