// The runtime's step graphs, compiled once per (method, rows). Without a step schedule the graph is
// the compiler's step graph (expand, fold, fuse): the mapped graph of a one-core machine. With one
// (train --schedule), it is compile()'s mapped graph of that schedule on the given hardware model, so
// the Transfers and all-reduces the simulator costs are the nodes the runtime executes. A micro-batched
// step runs the graph of one micro-batch M times (micro-batches.ts); float width stays 4 bytes, the
// width the runtime keeps floats in, whatever the hardware model's word.
import { compile, stepGraph } from '../../compiler/compile.js';
import { resolveCompileOptions, type CompileOptionsInput } from '../../compiler/compile-options.js';
import { methodOf } from '../../compiler/methods/registry.js';
import type { ScheduleKind } from '../../compiler/types.js';
import type { HwModel } from '../../hw/types.js';
import type { Graph } from '../../ir/types.js';
import type { Method } from '../../compiler/methods/names.js';
import type { Network } from '../../models/layers.js';
import type { OptimizerKind } from './optimizer-state.js';
import type { MethodOptions } from './step-types.js';

/** How a training step is laid out: the compiler's schedule, micro-batches per step, staleness. */
export interface StepSchedule {
  kind: ScheduleKind;
  /** Micro-batches per step (the graph is compiled for one micro-batch's rows). */
  microBatches: number;
  /** 1: the gradient of step t is applied at step t + 1 (the forward-only pipeline's semantics). */
  staleness: 0 | 1;
  hw: HwModel;
}

/** The optimizer and, for SGD, its momentum (the graph carries a velocity when it is above 0). */
export interface OptimizerChoice {
  kind: OptimizerKind;
  momentum: number;
}

export class GraphCache {
  private readonly graphs = new Map<string, Graph>();

  constructor(
    private readonly network: Network,
    private readonly method: MethodOptions,
    optimizer: OptimizerKind | OptimizerChoice,
    private readonly schedule?: StepSchedule,
  ) {
    this.optimizer = typeof optimizer === 'string' ? { kind: optimizer, momentum: 0 } : optimizer;
  }

  private readonly optimizer: OptimizerChoice;

  /** The options the graph for `rows` samples is compiled with; `mapped`: under the run's schedule. */
  compileOptions(method: Method, rows: number, mapped: boolean): CompileOptionsInput {
    const m = this.method;
    const allows = methodOf(method).switches;
    const layerwise = allows.includes('layerwise') && m.layerwise;
    const schedule = mapped && this.schedule ? this.schedule.kind : 'sequential';
    const flat = schedule === 'sequential' || schedule === 'data-parallel' || schedule === 'bp-sequential';
    const learnedSigma = allows.includes('learnedSigma') && m.learnSigma !== undefined;
    const switches = { baseline: m.baseline, encoding: m.encoding, antithetic: m.antithetic, learnedSigma };
    const parts = flat ? {} : { microBatches: 1 };
    return {
      method,
      copies: m.copies,
      batch: rows,
      schedule,
      layerwise,
      optimizer: this.optimizer.kind,
      momentum: this.optimizer.momentum,
      switches,
      ...parts,
    };
  }

  /** The training step's graph for a (micro-)batch of `rows` samples, mapped under the run's schedule. */
  step(rows: number): Graph {
    return this.get(this.method.method, rows, this.schedule !== undefined);
  }

  /** The plain step graph of `method` (evaluation reads BP's forward and loss nodes). */
  plain(method: Method, rows: number): Graph {
    return this.get(method, rows, false);
  }

  private get(method: Method, rows: number, mapped: boolean): Graph {
    const key = `${method}/${rows}/${mapped}`;
    let graph = this.graphs.get(key);
    if (!graph) {
      const options = this.compileOptions(method, rows, mapped);
      const hw = mapped && this.schedule ? { ...this.schedule.hw, wordBytes: 4 } : undefined;
      graph = hw ? compile(this.network, hw, options).graph : stepGraph(this.network, resolveCompileOptions(options));
      this.graphs.set(key, graph);
    }
    return graph;
  }
}
