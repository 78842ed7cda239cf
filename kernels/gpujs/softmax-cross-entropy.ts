// gpu.js per-row softmax cross-entropy: loss[r] = max + log(sum exp(logit - max)) - logit[label],
// one thread per row, with the max subtracted first so exp cannot overflow in float32.
import type { ResidentArgs } from '../device-tensor.js';
import { f32, type Flat, type Launcher, type ThreadThis } from './gpujs-context.js';

function softmaxCrossEntropyBody(this: ThreadThis, logits: Flat, labels: Flat): number {
  const base = this.thread.x * this.constants.classes;
  let max = logits[base]!;
  for (let c = 1; c < this.constants.classes; c++) max = Math.max(max, logits[base + c]!);
  let sum = 0;
  for (let c = 0; c < this.constants.classes; c++) sum += Math.exp(logits[base + c]! - max);
  return max + Math.log(sum) - logits[base + labels[this.thread.x]!]!;
}

export async function softmaxCrossEntropy<O>(ctx: Launcher<O>, a: ResidentArgs<'softmax-cross-entropy'>): Promise<O> {
  const kernel = ctx.kernel('softmax-cross-entropy', softmaxCrossEntropyBody, {
    output: [a.rows],
    constants: { classes: a.classes },
  });
  return ctx.call(kernel, f32(a.logits), f32(a.labels));
}
