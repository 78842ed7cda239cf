// gpu.js softmax gradient: one thread per (row, class), (softmax(logits[r])[c] - onehot(labels[r])[c]) / rows,
// with the row's max subtracted first so exp cannot overflow in float32.
import type { ResidentArgs } from '../device-tensor.js';
import { f32, type Flat, type Launcher, type ThreadThis } from './gpujs-context.js';

function softmaxGradientBody(this: ThreadThis, logits: Flat, labels: Flat): number {
  const c = this.thread.x;
  const r = this.thread.y;
  const base = r * this.constants.classes;
  let max = logits[base]!;
  for (let j = 1; j < this.constants.classes; j++) max = Math.max(max, logits[base + j]!);
  let sum = 0;
  for (let j = 0; j < this.constants.classes; j++) sum += Math.exp(logits[base + j]! - max);
  let target = 0;
  if (labels[r]! === c) target = 1;
  return (Math.exp(logits[base + c]! - max) / sum - target) / this.constants.rows;
}

export async function softmaxGradient<O>(ctx: Launcher<O>, a: ResidentArgs<'softmax-gradient'>): Promise<O> {
  const kernel = ctx.kernel('softmax-gradient', softmaxGradientBody, {
    output: [a.classes, a.rows],
    constants: { classes: a.classes, rows: a.rows },
  });
  return ctx.call(kernel, f32(a.logits), f32(a.labels));
}
