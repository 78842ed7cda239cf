// Learned sigma for LR/ALR in the runtime (METHOD.md 2.1 and 7 item 4): per parametrised layer one
// noise std per output unit (linear) or output channel (conv, batchnorm). Its gradient and update are
// step-graph nodes (SigmaGrad, OptimizerUpdate with target 'sigma'; the compiler emits them with the
// learnedSigma switch); this holds the values and their optimizer state between steps, hands them to
// each step's graph through its sigma input ports, takes the updated ones back from its output ports
// (refusing non-finite results), and checkpoints them.
import { InvalidInputError } from '../../errors.js';
import type { ParamDecl } from '../../ir/types.js';
import type { LearnSigmaOptions, MethodOptions } from './step-types.js';

export interface SigmaSummary {
  mean: number;
  min: number;
  max: number;
  values: number[];
}

/** The refusal of a sigma update whose result is not finite. */
export function nonFiniteSigma(layer: string): InvalidInputError {
  return new InvalidInputError(
    `learned sigma: non-finite sigma or optimizer state in layer ${layer} after the update. Hint: lower --sigma-lr`,
  );
}

/** Per-layer sigma vectors, their optimizer state, and the update with its floor. */
export class LearnedSigma {
  values = new Map<string, Float64Array>();
  private readonly state = new Map<string, Float64Array>();

  readonly options: LearnSigmaOptions;

  constructor(layers: readonly ParamDecl[], method: MethodOptions & { learnSigma: LearnSigmaOptions }) {
    // Which methods learn sigma, and the rate and floor allowed, are checked once with the step's options.
    this.options = method.learnSigma;
    for (const layer of layers) this.values.set(layer.layer, new Float64Array(layer.channels).fill(method.sigma));
  }

  /** A layer's sigma, or its optimizer state (none before the first update), as the graph's input port reads it. */
  input(role: 'sigma' | 'sigma-optimizer-state', layer: string): Float64Array | undefined {
    return role === 'sigma' ? this.values.get(layer) : this.state.get(layer);
  }

  /**
   * Takes the graph's updated sigma and optimizer state (its output ports, by layer). Throws, changing
   * nothing, when a result is not finite, so a diverged step never reaches the state or a checkpoint.
   */
  accept(values: ReadonlyMap<string, Float64Array>, states: ReadonlyMap<string, Float64Array>): void {
    const missing = [...this.values.keys()].find((name) => !values.has(name));
    if (missing !== undefined) throw new Error(`learned sigma: the step graph gave no updated sigma of ${missing}`);
    const finite = (a: Float64Array | undefined): boolean => a === undefined || a.every(Number.isFinite);
    const bad = [...this.values.keys()].find((name) => !finite(values.get(name)) || !finite(states.get(name)));
    if (bad) throw nonFiniteSigma(bad);
    this.values = new Map([...this.values.keys()].map((name) => [name, values.get(name)!]));
    // Optimizer state where the update keeps one (Adam, SGD with momentum).
    for (const [name, s] of states) this.state.set(name, s);
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
        throw new InvalidInputError(
          `checkpoint: learned sigma of layer ${name} is ${v ? `${v.length} values` : 'missing'}; expected ${this.values.get(name)!.length}. Hint: resume a run that was started with --learn-sigma`,
        );
      }
      this.values.set(name, v);
    }
    this.state.clear();
    for (const [key, value] of Object.entries(arrays)) {
      if (key.startsWith('sigma-opt.')) this.state.set(key.slice('sigma-opt.'.length), value);
    }
  }

  summary(): Record<string, SigmaSummary> {
    const out: Record<string, SigmaSummary> = {};
    for (const [name, v] of this.values) {
      const values = [...v];
      out[name] = {
        mean: values.reduce((a, b) => a + b, 0) / values.length,
        min: Math.min(...values),
        max: Math.max(...values),
        values,
      };
    }
    return out;
  }
}
