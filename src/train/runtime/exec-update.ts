// Graph-executor handler of OptimizerUpdate: the backend's sgd-update or adam-update kernel on one
// layer's parameter buffer. The optimizer state travels in the environment under the graph's
// `<layer>.opt` id (Adam: m then v, 2P floats; SGD momentum: the velocity, P floats, an entry the
// compiler's graph does not model because plain SGD has no state there) and comes back as `.opt.next`.
import type { IrNode } from '../../ir/types.js';
import { num, toF64, type ExecContext } from './exec-context.js';

type NodeOf<K extends IrNode['kind']> = Extract<IrNode, { kind: K }>;

export async function optimizerUpdate(ctx: ExecContext, node: NodeOf<'OptimizerUpdate'>): Promise<void> {
  const [params, grad] = node.inputs as [string, string];
  const w = num(ctx, params);
  const g = num(ctx, grad);
  const stateId = `${node.layer}.opt`;
  const { lr, optimizer: o, updateCount } = ctx.options;
  const [next] = node.outputs as [string];
  if (node.optimizer === 'sgd') {
    const v = ctx.env.has(stateId) ? num(ctx, stateId) : new Float64Array(w.length);
    const r = await ctx.kernels['sgd-update']({ w, g, v, lr, momentum: o.momentum });
    ctx.env.set(next, r.w);
    ctx.env.set(`${stateId}.next`, r.v);
    return;
  }
  const state = ctx.env.has(stateId) ? num(ctx, stateId) : new Float64Array(2 * w.length);
  const r = await ctx.kernels['adam-update']({ w, g, m: state.subarray(0, w.length), v: state.subarray(w.length), lr, beta1: o.beta1, beta2: o.beta2, eps: o.eps, t: updateCount });
  const out = new Float64Array(2 * w.length);
  out.set(toF64(r.m));
  out.set(toF64(r.v), w.length);
  ctx.env.set(next, r.w);
  ctx.env.set(`${stateId}.next`, out);
}
