// gpu.js BP through an activation: dx[i] = dy[i] * f'(x[i]), one thread per element, with the op
// table's own backward (kernels/ops) compiled as a helper of the kernel (op-helper.ts).
import type { ResidentArgs } from '../device-tensor.js';
import { activationOp } from '../ops/activations.js';
import { f32, type Flat, type Launcher, type ThreadThis } from './gpujs-context.js';
import { opHelper } from './op-helper.js';

/** Stands for the activation's backward inside the kernel body; the helper compiled under its name is the op's. */
function activationBackwardOp(dy: number, x: number): number {
  return dy * x;
}

function activationBackwardBody(this: ThreadThis, dy: Flat, x: Flat): number {
  return activationBackwardOp(dy[this.thread.x]!, x[this.thread.x]!);
}

export async function activationBackward<O>(
  ctx: Launcher<O>,
  a: ResidentArgs<'activation-backward'>,
): Promise<O | Float32Array> {
  if (a.x.length === 0) return new Float32Array(0);
  const kernel = ctx.kernel(`activation-backward:${a.activation}`, activationBackwardBody, {
    output: [a.x.length],
    constants: {},
    helpers: [opHelper(activationBackwardOp.name, activationOp(a.activation).backward)],
  });
  return ctx.call(kernel, f32(a.dy), f32(a.x));
}
