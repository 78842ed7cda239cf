// A-Hybrid: backpropagation in the layers --bp-layers names (default: the last parametrised layer),
// ALR in the rest: the LR part keeps only its noise signs (sign-noise, or --encoding sign-signal).
import { hybrid as hybridOracle } from '../../estimators/hybrid.js';
import { SIGN_SCALE } from '../../ir/method-rules.js';
import { selectBpLayers } from '../../models/bp-layers.js';
import { expandHybrid } from '../expand-hybrid.js';
import type { MethodSpec } from './method-spec.js';
import { hybridRows, hybridSchedules } from './hybrid-common.js';

export const aHybrid: MethodSpec = {
  name: 'a-hybrid',
  summary: 'BP in --bp-layers (default: the last layer), ALR in the rest',
  noiseSpace: 'activation',
  storages: ['sign-bits', 'float', 'regenerate'],
  readsNoiseSigns: true,
  switches: ['baseline', 'encoding', 'antithetic', 'bpLayers'],
  schedules: hybridSchedules,
  compareRows: hybridRows,
  signScale: (s) => (s.encoding === 'sign-noise' ? SIGN_SCALE : 1),
  lossEmits: (s) => (s.encoding === 'sign-signal' ? 'loss-signs' : 'loss'),
  rowLayout: 'sample-major',
  expand: (network, options) => expandHybrid(network, options, aHybrid),
  estimate: (network, params, batch, options) =>
    hybridOracle(network, params, batch, { ...options, bpLayers: options.bpLayers ?? selectBpLayers(network) }),
};
