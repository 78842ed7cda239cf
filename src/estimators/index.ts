// Public surface of the estimators: BP (exact), LR, ALR, ES, AES, the counter-based RNG and helpers.
export { aes } from './aes.js';
export { alr } from './alr.js';
export { baselines } from './baselines.js';
export { bp } from './bp.js';
export { es } from './es.js';
export { estimate } from './estimate.js';
export { forward } from './forward.js';
export { networkLoss } from './loss.js';
export { lr } from './lr.js';
export { initParams, sigmaMap, validateParams } from './params.js';
export { normalAt, sampleNoise, uniformPair } from '../../kernels/rng.js';
export type * from './types.js';
