// gpu.js sign-bit packing: 32 signs per Uint32 word, bit i of word j set when values[32j + i] >= 0
// (the layout of kernels/reference/sign-pack.ts). A float32 cannot hold a 32-bit word exactly, so
// each thread builds one exact 16-bit half (even x: the low half of word x/2, odd x: the high half)
// and the host joins the halves. The output is 1-D so gpu.js lays it out as a near-square texture:
// a [2, words] output would be a 2-wide texture taller than WebGL's size limit past 16384 words.
import type { SignPackArgs } from '../names.js';
import { f32, type Flat, type GpujsContext, type ThreadThis } from './gpujs-context.js';

function signPackBody(this: ThreadThis, values: Flat): number {
  const base = this.thread.x * 16;
  let acc = 0;
  let bit = 1;
  for (let b = 0; b < 16; b++) {
    const index = base + b;
    if (index < this.constants.count) {
      if (values[index]! >= 0) acc += bit;
    }
    bit = bit * 2;
  }
  return acc;
}

export async function signPack(ctx: GpujsContext, a: SignPackArgs): Promise<Uint32Array> {
  const count = a.values.length;
  const words = Math.ceil(count / 32);
  if (words === 0) return new Uint32Array(0);
  const kernel = ctx.kernel('sign-pack', signPackBody, { output: [2 * words], constants: { count } });
  const halves = await ctx.call(kernel, f32(a.values));
  const out = new Uint32Array(words);
  for (let j = 0; j < words; j++) out[j] = (halves[2 * j]! + halves[2 * j + 1]! * 65536) >>> 0;
  return out;
}
