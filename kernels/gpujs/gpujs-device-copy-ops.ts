// The device operations of a resident ES/AES step (kernels/device-ops.ts) as gpu.js pipeline kernels:
// the forward pass over K perturbed parameter copies ([K, P], copy-major: copy g's output rows are
// g * rows .. g * rows + rows - 1) in one kernel per layer node (dense product, bias and activation,
// convolution, batch norm), each thread reading its copy's parameters at g * P; an input every copy
// shares (one copy's rows) is read at the row within the copy. Also antithetic pairs of drawn noise
// and the packed signs of a float tensor (sign-pack's bit order, 16 signs per float). Not a registry kernel.
import type { BatchnormCopiesArgs, BiasActivationCopiesArgs, CopyLayout, DeviceOps } from '../device-ops.js';
import type { DeviceTensor, Resident } from '../device-tensor.js';
import { batchnormEpsilon } from '../reference/batchnorm.js';
import { convDims } from '../reference/conv-dims.js';
import { activationOp } from '../ops/activations.js';
import type { Activation } from '../names.js';
import { f32, type Flat, type Launcher, type ThreadThis } from './gpujs-context.js';
import { opHelper } from './op-helper.js';

/** Constants: k = ins, rows = output rows per copy, copyWidth = P, shared = 1 when every copy reads the same rows. */
function matmulCopiesBody(this: ThreadThis, x: Flat, p: Flat): number {
  const row = this.thread.y;
  const col = this.thread.x;
  const g = Math.floor((row + 0.5) / this.constants.rows);
  const xRow = row - g * this.constants.rows * this.constants.shared;
  let sum = 0;
  for (let i = 0; i < this.constants.k; i++) {
    sum += x[xRow * this.constants.k + i]! * p[g * this.constants.copyWidth + col * this.constants.k + i]!;
  }
  return sum;
}

/** Stands for the activation inside the kernel body; the helper compiled under its name is the op's forward. */
function copiesActivationOp(x: number): number {
  return x;
}

/** Constants: channels, spatial, rows per copy, copyWidth = P, offset = the biases' start in a copy. */
function biasActivationCopiesBody(this: ThreadThis, z: Flat, p: Flat): number {
  const s = this.thread.x;
  const c = this.thread.y;
  const r = this.thread.z;
  const g = Math.floor((r + 0.5) / this.constants.rows);
  const bias = p[g * this.constants.copyWidth + this.constants.offset + c]!;
  return copiesActivationOp(z[(r * this.constants.channels + c) * this.constants.spatial + s]! + bias);
}

/** Constants: as biasActivationCopiesBody; gamma at the copy's start, beta at offset. */
function batchnormCopiesBody(this: ThreadThis, x: Flat, p: Flat, mean: Flat, variance: Flat, eps: number): number {
  const s = this.thread.x;
  const c = this.thread.y;
  const r = this.thread.z;
  const g = Math.floor((r + 0.5) / this.constants.rows);
  const base = g * this.constants.copyWidth;
  const v = x[(r * this.constants.channels + c) * this.constants.spatial + s]!;
  return (p[base + c]! * (v - mean[c]!)) / Math.sqrt(variance[c]! + eps) + p[base + this.constants.offset + c]!;
}

/** conv2d.ts's body with copy g = image / rows reading its weights at g * P (and, when shared, image - g * rows). */
function conv2dCopiesBody(this: ThreadThis, x: Flat, w: Flat): number {
  const q = this.thread.x;
  const p = this.thread.y;
  const nb = Math.floor((this.thread.z + 0.5) / this.constants.co);
  const o = this.thread.z - nb * this.constants.co;
  const g = Math.floor((nb + 0.5) / this.constants.rows);
  const xn = nb - g * this.constants.rows * this.constants.shared;
  let sum = 0;
  for (let c = 0; c < this.constants.ci; c++) {
    for (let u = 0; u < this.constants.ks; u++) {
      const iy = p * this.constants.stride + u - this.constants.pad;
      if (iy >= 0 && iy < this.constants.h) {
        for (let v = 0; v < this.constants.ks; v++) {
          const ix = q * this.constants.stride + v - this.constants.pad;
          if (ix >= 0 && ix < this.constants.w) {
            const wIndex = ((o * this.constants.ci + c) * this.constants.ks + u) * this.constants.ks + v;
            const xIndex = ((xn * this.constants.ci + c) * this.constants.h + iy) * this.constants.w + ix;
            sum += w[g * this.constants.copyWidth + wIndex]! * x[xIndex]!;
          }
        }
      }
    }
  }
  return sum;
}

/** Constants: cols = row width. Odd rows are the negated row before them (rng.ts' antithetic pairs). */
function antitheticBody(this: ThreadThis, x: Flat): number {
  const i = this.thread.x;
  const r = Math.floor((i + 0.5) / this.constants.cols);
  const odd = r - 2 * Math.floor((r + 0.5) / 2);
  return x[i - odd * this.constants.cols]! * (1 - 2 * odd);
}

/** Constants: count = elements. Half-word h holds bit b set when x[16h + b] >= 0 (sign-pack's rule). */
function packSignsBody(this: ThreadThis, x: Flat): number {
  let acc = 0;
  let bit = 1;
  for (let b = 0; b < 16; b++) {
    const index = this.thread.x * 16 + b;
    if (index < this.constants.count) {
      if (x[index]! >= 0) acc += bit;
    }
    bit = bit * 2;
  }
  return acc;
}

const layoutConstants = (a: CopyLayout) => ({ rows: a.rows, copyWidth: a.width, shared: a.shared ? 1 : 0 });

function forwardOf(activation: Activation): (x: number) => number {
  return activation === 'none' ? copiesActivationOp : activationOp(activation).forward;
}

type Ops<K extends keyof DeviceOps> = Pick<DeviceOps, K>;

/** The forward kernels over K parameter copies. */
function copyForwardOps(
  gpu: Launcher<DeviceTensor>,
): Ops<'matmulCopies' | 'biasActivationCopies' | 'batchnormCopies' | 'conv2dCopies'> {
  const perElement = (a: BiasActivationCopiesArgs | BatchnormCopiesArgs) => ({
    output: [a.spatial, a.channels, a.copies * a.rows],
    constants: { ...layoutConstants(a), channels: a.channels, spatial: a.spatial, offset: a.offset },
  });
  return {
    matmulCopies: (x, p, a) => {
      const spec = { output: [a.outs, a.copies * a.rows], constants: { ...layoutConstants(a), k: a.ins } };
      return gpu.call(gpu.kernel('matmul-copies', matmulCopiesBody, spec), f32(x), f32(p));
    },
    biasActivationCopies: (z, p, a) => {
      const helpers = [opHelper(copiesActivationOp.name, forwardOf(a.activation))];
      const k = gpu.kernel(`bias-activation-copies:${a.activation}`, biasActivationCopiesBody, {
        ...perElement(a),
        helpers,
      });
      return gpu.call(k, f32(z), f32(p));
    },
    batchnormCopies: (x, p, stats, a) => {
      const k = gpu.kernel('batchnorm-copies', batchnormCopiesBody, perElement(a));
      return gpu.call(k, f32(x), f32(p), f32(stats.mean), f32(stats.variance), batchnormEpsilon);
    },
    conv2dCopies: (x, p, a) => {
      const d = a.dims;
      const { outHeight, outWidth } = convDims('conv2d', d);
      const k = gpu.kernel('conv2d-copies', conv2dCopiesBody, {
        output: [outWidth, outHeight, a.copies * d.batch * d.outChannels],
        constants: {
          ...layoutConstants(a),
          ...{ co: d.outChannels, ci: d.inChannels, ks: d.kernelSize, stride: d.stride, pad: d.padding },
          ...{ h: d.height, w: d.width },
        },
      });
      return gpu.call(k, f32(x), f32(p));
    },
  };
}

export function gpujsCopyOps(
  gpu: Launcher<DeviceTensor>,
): Ops<'matmulCopies' | 'biasActivationCopies' | 'batchnormCopies' | 'conv2dCopies' | 'antithetic' | 'packSigns'> {
  return {
    ...copyForwardOps(gpu),
    antithetic: (x: Resident, rows: number) =>
      gpu.call(
        gpu.kernel('antithetic', antitheticBody, { output: [x.length], constants: { cols: x.length / rows } }),
        f32(x),
      ),
    packSigns: async (x: Resident) => {
      const count = x.length;
      const k = gpu.kernel('pack-signs', packSignsBody, { output: [2 * Math.ceil(count / 32)], constants: { count } });
      return { halves: await gpu.call(k, f32(x)), count };
    },
  };
}
