// The optimizer applied through the backend's update kernels (sgd-update, adam-update), with its
// state kept per parameter tensor so checkpoints can save and restore it exactly.
import type { KernelTable } from '../../../kernels/names.js';
import { toF64 } from './host-ops.js';
import type { Params } from './step-types.js';

export type OptimizerKind = 'sgd' | 'adam';

export interface OptimizerConfig {
  kind: OptimizerKind;
  momentum: number;
  beta1: number;
  beta2: number;
  eps: number;
}

export class OptimizerState {
  /** Number of updates applied so far (Adam's t - 1). */
  updates = 0;
  readonly slots = new Map<string, Float64Array>();

  constructor(readonly config: OptimizerConfig) {}

  private slot(name: string, length: number): Float64Array {
    let s = this.slots.get(name);
    if (!s) this.slots.set(name, (s = new Float64Array(length)));
    return s;
  }

  async apply(kernels: KernelTable, params: Params, gradients: Params, lr: number): Promise<void> {
    const t = ++this.updates;
    for (const [layer, g] of Object.entries(gradients)) {
      const p = params[layer]!;
      for (const part of ['weights', 'biases'] as const) {
        const key = `${layer}.${part}`;
        const w = p[part];
        if (this.config.kind === 'sgd') {
          const r = await kernels['sgd-update']({ w, g: g[part], v: this.slot(`${key}.v`, w.length), lr, momentum: this.config.momentum });
          p[part] = toF64(r.w);
          this.slots.set(`${key}.v`, toF64(r.v));
        } else {
          const { beta1, beta2, eps } = this.config;
          const r = await kernels['adam-update']({ w, g: g[part], m: this.slot(`${key}.m`, w.length), v: this.slot(`${key}.v`, w.length), lr, beta1, beta2, eps, t });
          p[part] = toF64(r.w);
          this.slots.set(`${key}.m`, toF64(r.m));
          this.slots.set(`${key}.v`, toF64(r.v));
        }
      }
    }
  }
}
