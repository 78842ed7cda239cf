// Float64 reference conv weight gradient: gW[o,c,u,v] = sum_{n,p,q} dOut[n,o,p,q] x[n,c,p*s+u-pad,q*s+v-pad].
// It is BP's conv weight gradient and, with LR error signals as dOut, the LR/ALR conv gradient product
// (METHOD.md 2.1). No 1/rows scaling: the caller decides the normalisation.
import { convDims, type ConvDims } from './conv-dims.js';
import { validate } from './validate.js';

export function conv2dWeightGrad(dOut: Float64Array, x: Float64Array, d: ConvDims): Float64Array {
  const { outHeight: oh, outWidth: ow } = convDims('conv2dWeightGrad', d);
  const { batch, inChannels: ci, height: h, width: w, outChannels: co, kernelSize: ks, stride, padding } = d;
  validate('conv2dWeightGrad', 'dOut', dOut, batch * co * oh * ow, `[batch, outChannels, oh, ow] = [${batch}, ${co}, ${oh}, ${ow}]`);
  validate('conv2dWeightGrad', 'x', x, batch * ci * h * w, `[batch, inChannels, height, width] = [${batch}, ${ci}, ${h}, ${w}]`);
  const gw = new Float64Array(co * ci * ks * ks);
  for (let n = 0; n < batch; n++) {
    for (let o = 0; o < co; o++) {
      const dBase = (n * co + o) * oh * ow;
      for (let c = 0; c < ci; c++) {
        const xBase = (n * ci + c) * h * w;
        const wBase = (o * ci + c) * ks * ks;
        for (let u = 0; u < ks; u++) {
          for (let v = 0; v < ks; v++) {
            let acc = 0;
            for (let p = 0; p < oh; p++) {
              const iy = p * stride + u - padding;
              if (iy < 0 || iy >= h) continue;
              for (let q = 0; q < ow; q++) {
                const ix = q * stride + v - padding;
                if (ix < 0 || ix >= w) continue;
                acc += dOut[dBase + p * ow + q]! * x[xBase + iy * w + ix]!;
              }
            }
            gw[wBase + u * ks + v]! += acc;
          }
        }
      }
    }
  }
  return gw;
}
