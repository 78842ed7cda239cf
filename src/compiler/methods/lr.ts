// Likelihood ratio (METHOD.md 2): K noisy copies per sample, Gaussian noise on every parametrised
// layer's pre-activation, one gradient product per layer from the baselined loss, the float noise
// and the stored input; no backward chain.
import { lr as lrOracle } from '../../estimators/lr.js';
import { expandLr } from '../expand-lr.js';
import type { MethodSpec } from './method-spec.js';
import { forwardOnlyRows, forwardOnlySchedules } from './forward-only.js';

export const lr: MethodSpec = {
  name: 'lr',
  summary: 'likelihood ratio (activation noise, float noise kept)',
  noiseSpace: 'activation',
  storages: ['float', 'regenerate'],
  signBitsTwin: 'alr',
  readsNoiseSigns: false,
  switches: ['baseline', 'antithetic', 'layerwise', 'learnedSigma'],
  schedules: forwardOnlySchedules,
  compareRows: forwardOnlyRows,
  signScale: () => 1,
  lossEmits: () => 'loss',
  rowLayout: 'sample-major',
  expand: (network, options) => expandLr(network, options, lr),
  estimate: (network, params, batch, options) => lrOracle(network, params, batch, options),
};
