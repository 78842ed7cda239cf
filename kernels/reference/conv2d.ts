// Float64 reference 2-D convolution (cross-correlation, as every DL framework), NCHW layout, no bias:
// x [batch, inChannels, height, width], weights [outChannels, inChannels, k, k] -> [batch, outChannels, oh, ow].
import { convTaps, type ConvDims } from './conv-dims.js';
import { validate } from './validate.js';

export function conv2d(x: Float64Array, weights: Float64Array, d: ConvDims): Float64Array {
  const { outHeight: oh, outWidth: ow, outIndex, inIndex } = convTaps('conv2d', d);
  const { batch, inChannels: ci, height: h, width: w, outChannels: co, kernelSize: ks } = d;
  validate('conv2d', 'x', x, batch * ci * h * w, `[batch, inChannels, height, width] = [${batch}, ${ci}, ${h}, ${w}]`);
  validate(
    'conv2d',
    'weights',
    weights,
    co * ci * ks * ks,
    `[outChannels, inChannels, k, k] = [${co}, ${ci}, ${ks}, ${ks}]`,
  );
  const out = new Float64Array(batch * co * oh * ow);
  for (let n = 0; n < batch; n++) {
    for (let o = 0; o < co; o++) {
      const outBase = (n * co + o) * oh * ow;
      for (let c = 0; c < ci; c++) {
        const xBase = (n * ci + c) * h * w;
        const wBase = (o * ci + c) * ks * ks;
        for (let t = 0; t < ks * ks; t++) {
          const wv = weights[wBase + t]!;
          const outs = outIndex[t]!;
          const ins = inIndex[t]!;
          for (let i = 0; i < outs.length; i++) out[outBase + outs[i]!]! += wv * x[xBase + ins[i]!]!;
        }
      }
    }
  }
  return out;
}
