// Approximated likelihood ratio (METHOD.md 3): LR that keeps only the noise signs, as bits. The
// default encoding 'sign-noise' scales each sign by sqrt(pi/2) = 1/E|eps|; 'sign-signal' reads
// sign(baselined loss) times sign(noise), so the Loss node emits the loss signs.
import { lr as lrOracle } from '../../estimators/lr.js';
import { SIGN_SCALE } from '../../ir/method-rules.js';
import { expandLr } from '../expand-lr.js';
import type { MethodSpec } from './method-spec.js';
import { forwardOnlyRows, forwardOnlySchedules } from './forward-only.js';

export const alr: MethodSpec = {
  name: 'alr',
  summary: 'approximated likelihood ratio (LR keeping noise sign bits; --encoding)',
  noiseSpace: 'activation',
  storages: ['sign-bits', 'float', 'regenerate'],
  readsNoiseSigns: true,
  switches: ['baseline', 'encoding', 'antithetic', 'layerwise', 'learnedSigma'],
  schedules: forwardOnlySchedules,
  compareRows: forwardOnlyRows,
  signScale: (s) => (s.encoding === 'sign-noise' ? SIGN_SCALE : 1),
  lossEmits: (s) => (s.encoding === 'sign-signal' ? 'loss-signs' : 'loss'),
  rowLayout: 'sample-major',
  expand: (network, options) => expandLr(network, options, alr),
  estimate: (network, params, batch, options) => lrOracle(network, params, batch, options),
};
