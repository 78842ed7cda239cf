// The execution context of one step graph (exec-context.ts) as the runtime builds it: the input ports
// filled from the run's state (step-inputs.ts), the kernels, and the method's run values (sigma, seed,
// step, learning rates, the optimizer and its update count); for a micro-batch, its rows of the batch on
// the step graph compiled for them. Not a kernel.
import type { Graph, GraphPort } from '../../ir/types.js';
import type { MicroBatch } from '../../ir/step-instances.js';
import type { DeviceConstants } from './device-constants.js';
import type { StepBuffers } from './step-buffers.js';
import type { EnvValue, ExecContext, ExecOptions } from './exec-context.js';
import type { NodeProfile } from './execute-graph.js';
import type { GraphCache } from './graph-cache.js';
import type { LearnedSigma } from './learned-sigma.js';
import type { OptimizerConfig } from './optimizer-state.js';
import type { ResolvedKernels } from './resolve-kernels.js';
import type { Batch, MethodOptions } from './step-types.js';

/** The step's learning rates: the parameters' and learned sigma's. */
export interface Rates {
  lr: number;
  sigmaLr: number;
}

/** What a step's contexts are built from: the run's options and kernels, and its state as it is now. */
export interface ContextSource {
  method: MethodOptions;
  optimizer: OptimizerConfig;
  seed: number;
  resolved: ResolvedKernels;
  graphs: GraphCache;
  constants: DeviceConstants;
  /** Host output arrays kept between steps for the nodes that reuse them. */
  buffers: StepBuffers;
  input(port: GraphPort, batch: Batch): EnvValue | undefined;
  sigma(): LearnedSigma | undefined;
  /** Adam's t for the next update. */
  updateCount(): number;
  /** Whether the run's steps keep their state on the device (the handlers then keep theirs there). */
  resident(): boolean;
  profile(): Map<string, NodeProfile> | undefined;
}

export class StepContexts {
  constructor(private readonly source: ContextSource) {}

  get graphs(): GraphCache {
    return this.source.graphs;
  }

  /** The method's run values for one step (or micro-batch starting at `firstSample`). */
  private execOptions(step: number, rates: Rates, firstSample: number): ExecOptions {
    const { method, seed, optimizer } = this.source;
    const sigma = this.source.sigma();
    const learnedSigma = sigma ? { learnedSigma: { lr: rates.sigmaLr, floor: sigma.options.min } } : {};
    return {
      sigma: method.sigma,
      ...learnedSigma,
      seed,
      step,
      firstSample,
      lr: rates.lr,
      optimizer,
      updateCount: this.source.updateCount(),
    };
  }

  context(graph: Graph, batch: Batch, step: number, rates: Rates, firstSample = 0, profiled = true): ExecContext {
    const env: ExecContext['env'] = new Map();
    for (const port of graph.inputs) {
      const value = this.source.input(port, batch);
      if (value !== undefined) env.set(port.tensor, value);
    }
    const { resolved, constants, buffers } = this.source;
    const profile = this.source.profile();
    return {
      graph,
      kernels: resolved.kernels,
      device: resolved.device,
      params: new Map(graph.params.map((p) => [p.layer, p])),
      env,
      labels: batch.labels,
      losses: [],
      ...(resolved.ops && this.source.resident() ? { ops: resolved.ops, constants } : {}),
      options: this.execOptions(step, rates, firstSample),
      buffers,
      ...(profile && profiled ? { profile } : {}),
    };
  }

  /** A micro-batch's context: its rows of the batch, on the step graph compiled for its rows. */
  part(batch: Batch, part: MicroBatch, step: number, rates: Rates): ExecContext {
    const { firstSample, samples } = part;
    const width = batch.x.length / batch.samples;
    const rows: Batch = {
      x: batch.x.subarray(firstSample * width, (firstSample + samples) * width),
      labels: batch.labels.subarray(firstSample, firstSample + samples),
      samples,
    };
    return this.context(this.graphs.step(samples), rows, step, rates, firstSample);
  }
}
