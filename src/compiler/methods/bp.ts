// Backpropagation: exact reverse mode, the baseline and the ground truth. No noise, no copies; the
// Loss node emits the loss gradient and the backward chain runs through every layer.
import { bp as bpOracle } from '../../estimators/bp.js';
import { expandBp } from '../expand-bp.js';
import type { MethodSpec } from './method-spec.js';

export const bp: MethodSpec = {
  name: 'bp',
  summary: 'backpropagation (exact; the baseline)',
  noiseSpace: 'none',
  storages: [],
  readsNoiseSigns: false,
  switches: [],
  schedules: ['sequential', 'data-parallel', 'bp-sequential', 'gpipe', '1f1b'],
  compareRows: [
    { rank: 0, schedule: 'bp-sequential', reference: true },
    { rank: 1, schedule: 'gpipe' },
    { rank: 2, schedule: '1f1b' },
  ],
  signScale: () => 1,
  lossEmits: () => 'gradient',
  rowLayout: 'sample-major',
  expand: (network, options) => expandBp(network, options, bp),
  estimate: (network, params, batch, options) => bpOracle(network, params, batch, options.floatBytes),
};
