// Float64 reference conv weight gradient: gW[o,c,u,v] = sum_{n,p,q} dOut[n,o,p,q] x[n,c,p*s+u-pad,q*s+v-pad].
// It is BP's conv weight gradient and, with LR error signals as dOut, the LR/ALR conv gradient product
// (METHOD.md 2.1). No 1/rows scaling: the caller decides the normalisation.
import { convTaps, type ConvDims } from './conv-dims.js';
import { validate } from './validate.js';

export function conv2dWeightGrad(dOut: Float64Array, x: Float64Array, d: ConvDims): Float64Array {
  const { outHeight: oh, outWidth: ow, outIndex, inIndex } = convTaps('conv2dWeightGrad', d);
  const { batch, inChannels: ci, height: h, width: w, outChannels: co, kernelSize: ks } = d;
  validate(
    'conv2dWeightGrad',
    'dOut',
    dOut,
    batch * co * oh * ow,
    `[batch, outChannels, oh, ow] = [${batch}, ${co}, ${oh}, ${ow}]`,
  );
  validate(
    'conv2dWeightGrad',
    'x',
    x,
    batch * ci * h * w,
    `[batch, inChannels, height, width] = [${batch}, ${ci}, ${h}, ${w}]`,
  );
  const gw = new Float64Array(co * ci * ks * ks);
  for (let n = 0; n < batch; n++) {
    for (let o = 0; o < co; o++) {
      const dBase = (n * co + o) * oh * ow;
      for (let c = 0; c < ci; c++) {
        const xBase = (n * ci + c) * h * w;
        const wBase = (o * ci + c) * ks * ks;
        for (let t = 0; t < ks * ks; t++) {
          const outs = outIndex[t]!;
          const ins = inIndex[t]!;
          let acc = 0;
          for (let i = 0; i < outs.length; i++) acc += dOut[dBase + outs[i]!]! * x[xBase + ins[i]!]!;
          gw[wBase + t]! += acc;
        }
      }
    }
  }
  return gw;
}
