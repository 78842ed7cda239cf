// The runtime's step graphs, compiled once per (method, rows) by the compiler's compile(), the one
// `simulate` and `compile` use: the same batch, micro-batches, word size, noise storage, optimizer
// and stage cuts, so the Transfers and all-reduces the simulator costs are the nodes the runtime
// executes (train --print-graph prints `compiled`). The runtime keeps computing in float32 whatever
// the hardware's word; only the graph (and so the simulator's byte counts) carries it. A
// micro-batched step runs the whole step's node instances (src/ir/step-instances.ts), each
// micro-batch's on the step compiled for its rows with the whole step's stage cuts (the same node
// ids). Evaluation reads the network's evaluation graph (the exact method's plain step,
// StepSource.evaluationGraph). The run's switches go to the compiler as they are; its option check
// (one for every command) refuses what the method does not take.
import { isPipelined } from '../../compiler/schedules/registry.js';
import type { CompileOptionsInput } from '../../compiler/compile-options.js';
import type { StepSource } from '../../compiler/step-source.js';
import type { CompiledStep, CompileOptions, ScheduleKind } from '../../compiler/types.js';
import type { HwModel } from '../../hw/types.js';
import type { Graph } from '../../ir/types.js';
import type { OptimizerKind } from './optimizer-state.js';
import type { MethodOptions } from './step-types.js';

/** How a training step is laid out: the compiler's schedule and hardware model, batch, micro-batches, staleness. */
export interface StepSchedule {
  kind: ScheduleKind;
  /** Samples per step (the whole step's graph is compiled for them). */
  batch: number;
  /** Micro-batches per step (the executed graph is compiled for one micro-batch's rows). */
  microBatches: number;
  /** 1: the gradient of step t is applied at step t + 1 (the forward-only pipeline's semantics). */
  staleness: 0 | 1;
  hw: HwModel;
  /** Left out: the compiler's default for the method. */
  noiseStorage?: CompileOptions['noiseStorage'];
  stages?: number;
  stageCuts?: string[];
}

/** The optimizer and, for SGD, its momentum (the graph carries a velocity when it is above 0). */
export interface OptimizerChoice {
  kind: OptimizerKind;
  momentum: number;
}

/** Micro-batches per step and staleness, as a mapped graph declares them. */
export interface StepLayout {
  microBatches: number;
  staleness: 0 | 1;
}

function layoutOf(graph: Graph): StepLayout {
  const { microBatches, staleness } = graph.meta;
  if (microBatches === undefined || staleness === undefined)
    throw new Error(`runtime: the step graph of ${graph.meta.network} declares no layout (micro-batches, staleness)`);
  return { microBatches, staleness };
}

/** The layers that begin stages 2, 3, ... of a compiled step (none: one stage). */
const cutsOf = (step: CompiledStep): string[] => step.stages.slice(1).map((s) => s.layers[0]!);

export class GraphCache {
  private readonly graphs = new Map<string, Graph>();
  /** The whole step's stage cuts, once compiled (a micro-batch's graph keeps them). */
  private cuts: string[] | undefined;
  private stepLayout: StepLayout | undefined;

  constructor(
    private readonly network: StepSource,
    private readonly method: MethodOptions,
    optimizer: OptimizerKind | OptimizerChoice,
    private readonly schedule?: StepSchedule,
  ) {
    this.optimizer = typeof optimizer === 'string' ? { kind: optimizer, momentum: 0 } : optimizer;
  }

  private readonly optimizer: OptimizerChoice;

  /**
   * The compile options of the run's step on `rows` samples; `mapped`: the run's schedule, else sequential.
   * The run's switches go as they are: the compiler's option check refuses one its method does not take.
   */
  compileOptions(rows: number, mapped: boolean): CompileOptionsInput {
    const m = this.method;
    const s = mapped ? this.schedule : undefined;
    const learnedSigma = m.learnSigma !== undefined;
    const switches = { baseline: m.baseline, encoding: m.encoding, antithetic: m.antithetic, learnedSigma };
    const rates = m.learnSigma ? { lr: m.learnSigma.lr, floor: m.learnSigma.min, start: m.sigma } : undefined;
    return {
      method: m.method,
      copies: m.copies,
      batch: rows,
      schedule: s?.kind ?? 'sequential',
      layerwise: m.layerwise,
      optimizer: this.optimizer.kind,
      momentum: this.optimizer.momentum,
      switches,
      ...(s === undefined ? {} : { microBatches: s.microBatches, staleness: s.staleness }),
      ...(s?.noiseStorage === undefined ? {} : { noiseStorage: s.noiseStorage }),
      ...(m.bpLayers !== undefined ? { bpLayers: m.bpLayers } : {}),
      ...(rates ? { learnedSigmaRates: rates } : {}),
      ...(s?.stages === undefined ? {} : { stages: s.stages }),
      ...(s?.stageCuts === undefined ? {} : { stageCuts: s.stageCuts }),
    };
  }

  /** The whole step as `simulate` and `compile` compile it: the run's batch and micro-batches on its hardware model. */
  compiled(): CompiledStep {
    const s = this.schedule;
    if (!s) throw new Error('GraphCache.compiled: the runtime was created without a step schedule');
    return this.network.compile(s.hw, this.compileOptions(s.batch, true));
  }

  /**
   * How the step is laid out, read from its compiled graph: micro-batches per step and staleness
   * (without a schedule: one part, staleness 0, the plain graph's layout).
   */
  layout(): StepLayout {
    if (!this.schedule) return { microBatches: 1, staleness: 0 };
    return (this.stepLayout ??= layoutOf(this.compiled().graph));
  }

  /** The whole step's graph for `rows` samples: the compiled step under the run's schedule, else the plain graph. */
  whole(rows: number): Graph {
    if (!this.schedule) return this.plain(rows);
    return this.cached('whole', () => this.compiled().graph);
  }

  /** The training step's graph for a (micro-)batch of `rows` samples, mapped under the run's schedule. */
  step(rows: number): Graph {
    const key = `step/${rows}`;
    let graph = this.graphs.get(key);
    if (!graph) {
      graph = this.schedule ? this.mapped(this.schedule, rows) : this.plain(rows);
      this.graphs.set(key, graph);
    }
    return graph;
  }

  /** The run's plain (unmapped) step graph on `rows` samples. */
  plain(rows: number): Graph {
    return this.cached(`plain/${rows}`, () => this.network.stepGraph(this.compileOptions(rows, false)));
  }

  /** The evaluation graph on `rows` samples (the exact method's: evaluation runs its forward and loss nodes). */
  evaluation(rows: number): Graph {
    return this.cached(`evaluation/${rows}`, () => this.network.evaluationGraph(rows));
  }

  private cached(key: string, build: () => Graph): Graph {
    let graph = this.graphs.get(key);
    if (!graph) {
      graph = build();
      this.graphs.set(key, graph);
    }
    return graph;
  }

  /** The whole step's graph, or for a micro-batch's rows the step compiled for them with the whole step's cuts. */
  private mapped(s: StepSchedule, rows: number): Graph {
    if (rows === s.batch && s.microBatches === 1) return this.compiled().graph;
    const cuts = (this.cuts ??= cutsOf(this.compiled()));
    const { stages: _, stageCuts: __, ...options } = this.compileOptions(rows, true);
    const stagesOf = !isPipelined(s.kind) ? {} : cuts.length > 0 ? { stageCuts: cuts } : { stages: 1 };
    const part = this.network.compile(s.hw, { ...options, microBatches: 1, ...stagesOf }).graph;
    // One part of the step: its meta keeps the whole step's layout.
    return { ...part, meta: { ...part.meta, ...this.layout() } };
  }
}
