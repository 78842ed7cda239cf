// SGD with momentum and Adam over per-layer parameters (weights and biases), updating in place.
// The reference-backend optimizers used by referenceStep and the tests; the GPU runtime brings its own.
import { InvalidInputError } from '../errors.js';
import type { LayerGradient, Params } from '../estimators/types.js';

export type OptimizerConfig =
  | { kind: 'sgd'; learningRate: number; momentum?: number }
  | { kind: 'adam'; learningRate: number; beta1?: number; beta2?: number; epsilon?: number };

export interface Optimizer {
  /** Applies one update to `params` in place from per-layer gradients. */
  step(params: Params, gradients: ReadonlyMap<string, LayerGradient>): void;
}

type Slot = 'weights' | 'biases';

function state(store: Map<string, Float64Array>, key: string, length: number): Float64Array {
  let s = store.get(key);
  if (!s) store.set(key, (s = new Float64Array(length)));
  return s;
}

function eachSlot(
  params: Params,
  gradients: ReadonlyMap<string, LayerGradient>,
  update: (key: string, p: Float64Array, g: Float64Array) => void,
): void {
  for (const [name, g] of gradients) {
    const p = params.get(name);
    if (!p) throw new InvalidInputError(`optimizer: gradient for unknown layer ${name}`);
    for (const slot of ['weights', 'biases'] as Slot[]) {
      if (p[slot].length !== g[slot].length) {
        throw new InvalidInputError(
          `optimizer: layer ${name} ${slot} has ${p[slot].length} values but its gradient ${g[slot].length}`,
        );
      }
      update(`${name}.${slot}`, p[slot], g[slot]);
    }
  }
}

export function createOptimizer(config: OptimizerConfig): Optimizer {
  if (!(config.learningRate > 0) || !Number.isFinite(config.learningRate)) {
    throw new InvalidInputError(
      `optimizer ${config.kind}: learningRate = ${config.learningRate}; allowed: a finite number > 0`,
    );
  }
  const buffers = new Map<string, Float64Array>();
  switch (config.kind) {
    case 'sgd': {
      const momentum = config.momentum ?? 0;
      return {
        step: (params, gradients) =>
          eachSlot(params, gradients, (key, p, g) => {
            const v = state(buffers, key, p.length);
            for (let i = 0; i < p.length; i++) {
              v[i] = momentum * v[i]! + g[i]!;
              p[i]! -= config.learningRate * v[i]!;
            }
          }),
      };
    }
    case 'adam':
      return adam(config, buffers);
    default:
      return config satisfies never;
  }
}

function adam(config: Extract<OptimizerConfig, { kind: 'adam' }>, buffers: Map<string, Float64Array>): Optimizer {
  const b1 = config.beta1 ?? 0.9;
  const b2 = config.beta2 ?? 0.999;
  const eps = config.epsilon ?? 1e-8;
  let t = 0;
  return {
    step: (params, gradients) => {
      t += 1;
      const c1 = 1 - b1 ** t;
      const c2 = 1 - b2 ** t;
      eachSlot(params, gradients, (key, p, g) => {
        const m = state(buffers, `${key}.m`, p.length);
        const v = state(buffers, `${key}.v`, p.length);
        for (let i = 0; i < p.length; i++) {
          m[i] = b1 * m[i]! + (1 - b1) * g[i]!;
          v[i] = b2 * v[i]! + (1 - b2) * g[i]! ** 2;
          p[i]! -= (config.learningRate * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + eps);
        }
      });
    },
  };
}
