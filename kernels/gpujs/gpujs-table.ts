// The gpu.js implementation of every registry kernel for one gpu.js mode: binds each per-kernel
// file to a GpujsContext. Adding a kernel to names.ts without a line here is a type error. The
// resident table is the same kernels in gpu.js pipeline mode (GPU modes only): handles in and out.
// No kernel runs the reference: a call whose output exceeds WebGL's texture size runs as tiles
// (texture-tiles.ts, inside the context).
import { withRepeatedZ } from '../noise-copies.js';
import { isResidentBackend, type ResidentTable } from '../device-tensor.js';
import type { KernelName, KernelTable } from '../names.js';
import { activationBackward } from './activation-backward.js';
import { adamUpdate } from './adam-update.js';
import { add } from './add.js';
import { biasActivation } from './bias-activation.js';
import { batchnorm } from './batchnorm.js';
import { batchnormBackward } from './batchnorm-backward.js';
import { conv2dBackwardData } from './conv2d-backward-data.js';
import { conv2dBackwardWeights } from './conv2d-backward-weights.js';
import { conv2d } from './conv2d.js';
import { copySum } from './copy-sum.js';
import type { GpujsContext } from './gpujs-context.js';
import { lossBaseline } from './loss-baseline.js';
import { lrGradProduct } from './lr-grad-product.js';
import { matmulABt } from './matmul-a-bt.js';
import { matmulAtB } from './matmul-at-b.js';
import { matmul } from './matmul.js';
import { noiseInject } from './noise-inject.js';
import { noiseInjectSigns, residentNoiseInject, residentNoiseInjectSigns } from './noise-signs.js';
import { poolBackward } from './pool-backward.js';
import { pool } from './pool.js';
import { rowSum } from './row-sum.js';
import { sgdUpdate } from './sgd-update.js';
import { sigmaGradient } from './sigma-gradient.js';
import { signPack } from './sign-pack.js';
import { softmaxCrossEntropy } from './softmax-cross-entropy.js';
import { softmaxGradient } from './softmax-gradient.js';
import { batchMatmul } from './batch-matmul.js';
import { gather } from './gather.js';
import { layernorm, layernormBackward, layernormGrad } from './layernorm.js';
import { softmaxRows, softmaxRowsBackward } from './softmax-rows.js';

export function gpujsTable(ctx: GpujsContext): KernelTable {
  return {
    add: (a) => add(ctx, a),
    'copy-sum': (a) => copySum(ctx, a),
    matmul: (a) => matmul(ctx, a),
    'matmul-at-b': (a) => matmulAtB(ctx, a),
    'matmul-a-bt': (a) => matmulABt(ctx, a),
    conv2d: (a) => conv2d(ctx, a),
    'bias-activation': (a) => biasActivation(ctx, a),
    'activation-backward': (a) => activationBackward(ctx, a),
    'noise-inject': (a) => noiseInject(ctx, withRepeatedZ(a)),
    'noise-inject-signs': (a) => noiseInjectSigns(ctx, withRepeatedZ(a)),
    'sign-pack': (a) => signPack(ctx, a),
    'lr-grad-product': (a) => lrGradProduct(ctx, a),
    'softmax-cross-entropy': (a) => softmaxCrossEntropy(ctx, a),
    'row-sum': (a) => rowSum(ctx, a),
    'sgd-update': (a) => sgdUpdate(ctx, a),
    'adam-update': (a) => adamUpdate(ctx, a),
    batchnorm: (a) => batchnorm(ctx, a),
    pool: (a) => pool(ctx, a),
    'pool-backward': (a) => poolBackward(ctx, a),
    'conv2d-backward-data': (a) => conv2dBackwardData(ctx, a),
    'conv2d-backward-weights': (a) => conv2dBackwardWeights(ctx, a),
    'batchnorm-backward': (a) => batchnormBackward(ctx, a),
    'loss-baseline': (a) => lossBaseline(ctx, a),
    'softmax-gradient': (a) => softmaxGradient(ctx, a),
    'sigma-gradient': (a) => sigmaGradient(ctx, a),
    layernorm: (a) => layernorm(ctx, a),
    'layernorm-backward': (a) => layernormBackward(ctx, a),
    'layernorm-grad': (a) => layernormGrad(ctx, a),
    'batch-matmul': (a) => batchMatmul(ctx, a),
    'softmax-rows': (a) => softmaxRows(ctx, a),
    'softmax-rows-backward': (a) => softmaxRowsBackward(ctx, a),
    gather: (a) => gather(ctx, a),
  };
}

/** The kernels gpu.js runs in pipeline mode (the keys of gpujsResidentTable). */
export const GPUJS_RESIDENT_KERNELS = [
  'copy-sum',
  'matmul',
  'matmul-at-b',
  'matmul-a-bt',
  'conv2d',
  'bias-activation',
  'lr-grad-product',
  'softmax-cross-entropy',
  'row-sum',
  'batchnorm',
  'pool',
  'pool-backward',
  'conv2d-backward-data',
  'conv2d-backward-weights',
  'noise-inject',
  'noise-inject-signs',
] as const satisfies readonly KernelName[];

/**
 * The kernels a resident training step adds in pipeline mode (its state stays on the device: the
 * updates, the BP loss gradient and activation backward, the loss baseline, batchnorm backward and
 * the residual add, the token kernels). The browser wire
 * carries only GPUJS_RESIDENT_KERNELS.
 */
export const GPUJS_RESIDENT_STATE_KERNELS = [
  'sgd-update',
  'adam-update',
  'activation-backward',
  'softmax-gradient',
  'loss-baseline',
  'batchnorm-backward',
  'add',
  'layernorm',
  'layernorm-backward',
  'batch-matmul',
  'softmax-rows',
  'softmax-rows-backward',
  'sigma-gradient',
] as const satisfies readonly KernelName[];

/**
 * The kernels that run on handles in gpu.js pipeline mode (results stay Textures or WebGPU buffers;
 * noise-inject-signs' sign words come to the host). The rest (sign packing, the updates, add)
 * post-process or return host arrays: they get host arrays. Empty on webasm and cpu, whose
 * pipeline results are host arrays anyway.
 */
export function gpujsResidentTable(ctx: GpujsContext): ResidentTable {
  if (!isResidentBackend(ctx.mode)) return {};
  const gpu = ctx.resident();
  return {
    'copy-sum': (a) => copySum(gpu, a),
    matmul: (a) => matmul(gpu, a),
    'matmul-at-b': (a) => matmulAtB(gpu, a),
    'matmul-a-bt': (a) => matmulABt(gpu, a),
    conv2d: (a) => conv2d(gpu, a),
    'bias-activation': (a) => biasActivation(gpu, a),
    'lr-grad-product': (a) => lrGradProduct(gpu, a),
    'softmax-cross-entropy': (a) => softmaxCrossEntropy(gpu, a),
    'row-sum': (a) => rowSum(gpu, a),
    batchnorm: (a) => batchnorm(gpu, a),
    pool: (a) => pool(gpu, a),
    'pool-backward': (a) => poolBackward(gpu, a),
    'conv2d-backward-data': (a) => conv2dBackwardData(gpu, a),
    'conv2d-backward-weights': (a) => conv2dBackwardWeights(gpu, a),
    'noise-inject': (a) => residentNoiseInject(gpu, withRepeatedZ(a)),
    'noise-inject-signs': (a) => residentNoiseInjectSigns(ctx, gpu, withRepeatedZ(a)),
    'sgd-update': (a) => sgdUpdate(gpu, a),
    'adam-update': (a) => adamUpdate(gpu, a),
    'activation-backward': (a) => activationBackward(gpu, a),
    'softmax-gradient': (a) => softmaxGradient(gpu, a),
    'loss-baseline': (a) => lossBaseline(gpu, a),
    'batchnorm-backward': (a) => batchnormBackward(gpu, a),
    add: (a) => add(gpu, a),
    layernorm: (a) => layernorm(gpu, a),
    'layernorm-backward': (a) => layernormBackward(gpu, a),
    'batch-matmul': (a) => batchMatmul(gpu, a),
    'softmax-rows': (a) => softmaxRows(gpu, a),
    'softmax-rows-backward': (a) => softmaxRowsBackward(gpu, a),
    'sigma-gradient': (a) => sigmaGradient(gpu, a),
  } satisfies Required<
    Pick<ResidentTable, (typeof GPUJS_RESIDENT_KERNELS)[number] | (typeof GPUJS_RESIDENT_STATE_KERNELS)[number]>
  >;
}
