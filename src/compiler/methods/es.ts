// Evolution strategies (METHOD.md 2.4): K weight perturbations shared by the batch, copy-major rows,
// the gradient from the baselined losses and the float weight noise.
import { es as esOracle } from '../../estimators/es.js';
import { expandEs } from '../expand-es.js';
import type { MethodSpec } from './method-spec.js';

export const es: MethodSpec = {
  name: 'es',
  summary: 'evolution strategies (weight noise)',
  noiseSpace: 'weight',
  storages: ['float', 'regenerate'],
  signBitsTwin: 'aes',
  readsNoiseSigns: false,
  switches: ['baseline', 'antithetic'],
  schedules: ['sequential', 'data-parallel', 'layer-pipelined'],
  compareRows: [{ rank: 50, schedule: 'sequential' }],
  signScale: () => 1,
  lossEmits: () => 'loss',
  rowLayout: 'copy-major',
  expand: (network, options) => expandEs(network, options, es),
  estimate: (network, params, batch, options) => esOracle(network, params, batch, options),
};
