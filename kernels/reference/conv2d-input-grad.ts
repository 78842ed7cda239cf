// Float64 reference conv input gradient (BP only): dX[n,c,y,x] = sum over outputs that read (y,x) of
// dOut * weight. LR/ALR never need it (no backward chain).
import { convTaps, type ConvDims } from './conv-dims.js';
import { validate } from './validate.js';

export function conv2dInputGrad(dOut: Float64Array, weights: Float64Array, d: ConvDims): Float64Array {
  const { outHeight: oh, outWidth: ow, outIndex, inIndex } = convTaps('conv2dInputGrad', d);
  const { batch, inChannels: ci, height: h, width: w, outChannels: co, kernelSize: ks } = d;
  validate(
    'conv2dInputGrad',
    'dOut',
    dOut,
    batch * co * oh * ow,
    `[batch, outChannels, oh, ow] = [${batch}, ${co}, ${oh}, ${ow}]`,
  );
  validate(
    'conv2dInputGrad',
    'weights',
    weights,
    co * ci * ks * ks,
    `[outChannels, inChannels, k, k] = [${co}, ${ci}, ${ks}, ${ks}]`,
  );
  const dx = new Float64Array(batch * ci * h * w);
  for (let n = 0; n < batch; n++) {
    for (let o = 0; o < co; o++) {
      const dBase = (n * co + o) * oh * ow;
      for (let c = 0; c < ci; c++) {
        const xBase = (n * ci + c) * h * w;
        const wBase = (o * ci + c) * ks * ks;
        for (let t = 0; t < ks * ks; t++) {
          const wv = weights[wBase + t]!;
          const outs = outIndex[t]!;
          const ins = inIndex[t]!;
          for (let i = 0; i < outs.length; i++) dx[xBase + ins[i]!]! += wv * dOut[dBase + outs[i]!]!;
        }
      }
    }
  }
  return dx;
}
