// gpu.js fused bias + activation: out[r, c, s] = act(z[r, c, s] + bias[c]) in one pass, so the
// pre-activation never makes a second trip through memory. The activation is a compile-time
// constant (0 none, 1 relu, 2 tanh), so each variant compiles to a branch-free kernel.
import type { ResidentArgs } from '../device-tensor.js';
import type { Activation } from '../names.js';
import { f32, type Flat, type Launcher, type ThreadThis } from './gpujs-context.js';

function biasActivationBody(this: ThreadThis, z: Flat, bias: Flat): number {
  const s = this.thread.x;
  const c = this.thread.y;
  const r = this.thread.z;
  const v = z[(r * this.constants.channels + c) * this.constants.spatial + s]! + bias[c]!;
  if (this.constants.act === 1) return Math.max(v, 0);
  if (this.constants.act === 2) return Math.tanh(v);
  return v;
}

function activationCode(activation: Activation): number {
  switch (activation) {
    case 'none':
      return 0;
    case 'relu':
      return 1;
    case 'tanh':
      return 2;
    default:
      return activation satisfies never;
  }
}

export async function biasActivation<O>(ctx: Launcher<O>, a: ResidentArgs<'bias-activation'>): Promise<O> {
  const kernel = ctx.kernel('bias-activation', biasActivationBody, {
    output: [a.spatial, a.channels, a.rows],
    constants: { channels: a.channels, spatial: a.spatial, act: activationCode(a.activation) },
  });
  return ctx.call(kernel, f32(a.z), f32(a.bias));
}
