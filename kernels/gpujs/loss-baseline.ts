// gpu.js loss baseline: one thread per loss row, each summing its sample's copies and subtracting
// their mean (mode 1) or the mean of the others (mode 2, leave-one-out; nothing with one copy).
// Rows are n*copies + k, or k*samples + n when copy-major (ES's grouped forward).
import type { ResidentArgs } from '../device-tensor.js';
import { f32, type Flat, type Launcher, type ThreadThis } from './gpujs-context.js';

function lossBaselineBody(this: ThreadThis, loss: Flat): number {
  const r = this.thread.x;
  const samples = this.constants.samples;
  const copies = this.constants.copies;
  let n = Math.floor(r / copies);
  if (this.constants.copyMajor === 1) n = r - Math.floor(r / samples) * samples;
  let sum = 0;
  for (let k = 0; k < this.constants.copies; k++) {
    let at = n * copies + k;
    if (this.constants.copyMajor === 1) at = k * samples + n;
    sum += loss[at]!;
  }
  const own = loss[r]!;
  if (this.constants.mode === 1) return own - sum / copies;
  if (this.constants.mode === 2 && copies > 1) return own - (sum - own) / (copies - 1);
  return own;
}

const MODES = { none: 0, mean: 1, 'leave-one-out': 2 } as const;

export async function lossBaseline<O>(ctx: Launcher<O>, a: ResidentArgs<'loss-baseline'>): Promise<O> {
  const kernel = ctx.kernel('loss-baseline', lossBaselineBody, {
    output: [a.samples * a.copies],
    constants: { samples: a.samples, copies: a.copies, mode: MODES[a.baseline], copyMajor: a.copyMajor ? 1 : 0 },
  });
  return ctx.call(kernel, f32(a.loss));
}
