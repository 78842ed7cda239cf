// Approximated ES: ES reading its weight noise by sign bits, scaled by sqrt(pi/2).
import { es as esOracle } from '../../estimators/es.js';
import { SIGN_SCALE } from '../../ir/method-rules.js';
import { expandEs } from '../expand-es.js';
import type { MethodSpec } from './method-spec.js';

export const aes: MethodSpec = {
  name: 'aes',
  summary: 'approximated ES (weight-noise sign bits)',
  noiseSpace: 'weight',
  storages: ['sign-bits', 'float', 'regenerate'],
  readsNoiseSigns: true,
  switches: ['baseline', 'antithetic'],
  schedules: ['sequential', 'data-parallel', 'layer-pipelined'],
  compareRows: [{ rank: 50, schedule: 'sequential' }],
  signScale: () => SIGN_SCALE,
  lossEmits: () => 'loss',
  rowLayout: 'copy-major',
  expand: (network, options) => expandEs(network, options, aes),
  estimate: (network, params, batch, options) => esOracle(network, params, batch, options),
};
