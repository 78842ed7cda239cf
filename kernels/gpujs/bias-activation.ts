// gpu.js fused bias + activation: out[r, c, s] = act(z[r, c, s] + bias[c]) in one pass, so the
// pre-activation never makes a second trip through memory. The activation is the op table's own
// forward (kernels/ops), compiled as a helper of the kernel (op-helper.ts): one kernel per activation.
import type { ResidentArgs } from '../device-tensor.js';
import { activationOp } from '../ops/activations.js';
import type { Activation } from '../names.js';
import { f32, type Flat, type Launcher, type ThreadThis } from './gpujs-context.js';
import { opHelper } from './op-helper.js';

/** Stands for the activation inside the kernel body; the helper compiled under its name is the op's forward. */
function biasActivationOp(x: number): number {
  return x;
}

function biasActivationBody(this: ThreadThis, z: Flat, bias: Flat): number {
  const s = this.thread.x;
  const c = this.thread.y;
  const r = this.thread.z;
  return biasActivationOp(z[(r * this.constants.channels + c) * this.constants.spatial + s]! + bias[c]!);
}

function forwardOf(activation: Activation): (x: number) => number {
  return activation === 'none' ? biasActivationOp : activationOp(activation).forward;
}

export async function biasActivation<O>(ctx: Launcher<O>, a: ResidentArgs<'bias-activation'>): Promise<O> {
  const kernel = ctx.kernel(`bias-activation:${a.activation}`, biasActivationBody, {
    output: [a.spatial, a.channels, a.rows],
    constants: { channels: a.channels, spatial: a.spatial },
    helpers: [opHelper(biasActivationOp.name, forwardOf(a.activation))],
  });
  return ctx.call(kernel, f32(a.z), f32(a.bias));
}
