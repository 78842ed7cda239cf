// The float64 reference kernels: the oracle every other backend (gpu.js modes) is checked against.
// Plain TypeScript, Float64Array in and out, explicit dims, row-major / NCHW layouts; every kernel
// validates shapes and finiteness and throws InvalidInputError naming itself and the offending value.
export { activation, activationBackward } from './activation.js';
export { addNoise } from './add-noise.js';
export { avgPool } from './avg-pool.js';
export { avgPoolBackward } from './avg-pool-backward.js';
export { batchnorm, batchnormEpsilon, type BatchnormResult, type BatchnormStats } from './batchnorm.js';
export { biasAdd } from './bias-add.js';
export { channelSum } from './channel-sum.js';
export { conv2d } from './conv2d.js';
export { conv2dInputGrad } from './conv2d-input-grad.js';
export { conv2dWeightGrad } from './conv2d-weight-grad.js';
export { convDims, type ConvDims } from './conv-dims.js';
export { errorSignal } from './error-signal.js';
export { lrGradient } from './lr-gradient.js';
export { matmul } from './matmul.js';
export { maxPool } from './max-pool.js';
export { maxPoolBackward } from './max-pool-backward.js';
export { poolDims, type PoolDims } from './pool-dims.js';
export { signPack } from './sign-pack.js';
export { signUnpack } from './sign-unpack.js';
export { softmaxCrossEntropy } from './softmax-cross-entropy.js';
export { transpose } from './transpose.js';
export { copySum, repeatRows } from './copy-rows.js';
