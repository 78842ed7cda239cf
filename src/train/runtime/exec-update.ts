// Graph-executor handler of OptimizerUpdate: the backend's sgd-update or adam-update kernel on one
// layer's parameter buffer, or on its learned sigma (at the step's sigma rate, then floored so sigma
// stays > 0). The optimizer state is the node's third input and second output, graph tensors of class
// optimizer-state (Adam: m then v, 2P floats; SGD with momentum: the velocity, P floats; plain SGD
// has none); before the first update the environment holds no state and it starts at zero. Under
// staleness 1 the update applies the stale buffer and passes this step's gradient on as its next value.
import type { KernelTable, NumArray } from '../../../kernels/names.js';
import { updateInputs } from '../../compiler/insert-stale-gradients.js';
import type { IrNode } from '../../ir/types.js';
import type { DeviceOps } from '../../../kernels/device-ops.js';
import type { Resident } from '../../../kernels/device-tensor.js';
import { arg, constantOf, downloadInputs, num, toF64, type ExecContext } from './exec-context.js';
import type { OptimizerConfig } from './optimizer-state.js';

type NodeOf<K extends IrNode['kind']> = Extract<IrNode, { kind: K }>;

interface OptimizerStep {
  w: NumArray;
  g: NumArray;
  /** The buffer's state from the previous update (SGD: P floats; Adam: 2P floats); undefined before the first. */
  state: NumArray | undefined;
  lr: number;
  optimizer: OptimizerConfig;
  /** Adam's t (>= 1). */
  updateCount: number;
}

/** One optimizer update of one buffer on the backend's kernels: the new values and the new state. */
async function applyOptimizer(kernels: KernelTable, s: OptimizerStep): Promise<{ w: NumArray; state: NumArray }> {
  const { w, g, lr, optimizer: o } = s;
  switch (o.kind) {
    case 'sgd': {
      const r = await kernels['sgd-update']({
        w,
        g,
        v: s.state ?? new Float64Array(w.length),
        lr,
        momentum: o.momentum,
      });
      // The velocity in the kernel's own float type (the runtime keeps a float64 copy between steps).
      return { w: r.w, state: r.v };
    }
    case 'adam': {
      const state = s.state ?? new Float64Array(2 * w.length);
      const r = await kernels['adam-update']({
        w,
        g,
        m: state.subarray(0, w.length),
        v: state.subarray(w.length),
        lr,
        beta1: o.beta1,
        beta2: o.beta2,
        eps: o.eps,
        t: s.updateCount,
      });
      const out = new Float64Array(2 * w.length);
      out.set(toF64(r.m));
      out.set(toF64(r.v), w.length);
      return { w: r.w, state: out };
    }
    default:
      return o.kind satisfies never;
  }
}

/** The update's learning rate, and for learned sigma the floor it keeps. */
function rateOf(ctx: ExecContext, node: NodeOf<'OptimizerUpdate'>): { lr: number; floor?: number } {
  if (node.target !== 'sigma') return { lr: ctx.options.lr };
  const sigma = ctx.options.learnedSigma;
  if (!sigma) throw new Error(`graph executor: ${node.id} updates learned sigma, and the run learns none`);
  return sigma;
}

/**
 * One optimizer update of one parameter buffer or learned sigma on the device: values, gradient and state stay there.
 * Under staleness 1 it applies the stale buffer and this step's gradient becomes the next one.
 */
async function deviceUpdate(ctx: ExecContext, ops: DeviceOps, node: NodeOf<'OptimizerUpdate'>): Promise<void> {
  const { values, applied, state: stateIn, fresh } = updateInputs(node);
  const [out, ...rest] = node.outputs as [string, ...string[]];
  if (node.stale) ctx.env.set(rest.pop()!, arg(ctx, fresh));
  const stateOut = rest[0];
  const w = arg(ctx, values);
  const g = arg(ctx, applied);
  const state = stateIn !== undefined && ctx.env.has(stateIn) ? arg(ctx, stateIn) : undefined;
  const { lr, floor } = rateOf(ctx, node);
  const { optimizer: o, updateCount } = ctx.options;
  // Learned sigma keeps its floor after the update, on the device too.
  const floored = async (next: Resident) => (floor === undefined ? next : ops.atLeast(next, floor));
  if (node.optimizer === 'sgd') {
    const v = state ?? (await constantOf(ctx, w.length, 0));
    const r = await ctx.device['sgd-update']({ w, g, v, lr, momentum: o.momentum });
    ctx.env.set(out, await floored(r.w));
    if (stateOut !== undefined) ctx.env.set(stateOut, r.v);
    return;
  }
  const P = w.length;
  const [m, v] = state
    ? [await ops.slice(state, 0, P), await ops.slice(state, P, P)]
    : [await constantOf(ctx, P, 0), await constantOf(ctx, P, 0)];
  const { beta1, beta2, eps } = o;
  const r = await ctx.device['adam-update']({ w, g, m, v, lr, beta1, beta2, eps, t: updateCount });
  ctx.env.set(out, await floored(r.w));
  if (stateOut !== undefined) ctx.env.set(stateOut, await ops.concat([r.m, r.v]));
}

export async function optimizerUpdate(ctx: ExecContext, node: NodeOf<'OptimizerUpdate'>): Promise<void> {
  if (ctx.ops) return deviceUpdate(ctx, ctx.ops, node);
  await downloadInputs(ctx, node.inputs);
  const { values, applied, state: stateIn, fresh } = updateInputs(node);
  const [out, ...rest] = node.outputs as [string, ...string[]];
  // Staleness 1: this step's gradient becomes the stale buffer the next step applies.
  if (node.stale) ctx.env.set(rest.pop()!, num(ctx, fresh));
  const stateOut = rest[0];
  const { lr, floor } = rateOf(ctx, node);
  const { optimizer, updateCount } = ctx.options;
  const r = await applyOptimizer(ctx.kernels, {
    w: num(ctx, values),
    g: num(ctx, applied),
    state: stateIn !== undefined && ctx.env.has(stateIn) ? num(ctx, stateIn) : undefined,
    lr,
    optimizer: { ...optimizer, kind: node.optimizer },
    updateCount,
  });
  ctx.env.set(out, floor === undefined ? r.w : Float64Array.from(r.w, (v) => Math.max(v, floor)));
  if (stateOut !== undefined) ctx.env.set(stateOut, r.state);
}
