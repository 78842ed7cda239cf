// Hybrid: backpropagation in the layers --bp-layers names (default: the last parametrised layer), LR
// in the rest (the paper's Figure 5). The BP part's backward chain stops at its first layer; the LR
// part reads the loss as LR does. Flat schedules and the BP pipelines (the backward chain needs them).
import { hybrid as hybridOracle } from '../../estimators/hybrid.js';
import { selectBpLayers } from '../../models/bp-layers.js';
import { expandHybrid } from '../expand-hybrid.js';
import type { MethodSpec } from './method-spec.js';
import { hybridRows, hybridSchedules } from './hybrid-common.js';

export const hybrid: MethodSpec = {
  name: 'hybrid',
  summary: 'BP in --bp-layers (default: the last layer), LR in the rest',
  noiseSpace: 'activation',
  storages: ['float', 'regenerate'],
  signBitsTwin: 'a-hybrid',
  readsNoiseSigns: false,
  switches: ['baseline', 'antithetic', 'bpLayers'],
  schedules: hybridSchedules,
  compareRows: hybridRows,
  signScale: () => 1,
  lossEmits: () => 'loss',
  rowLayout: 'sample-major',
  expand: (network, options) => expandHybrid(network, options, hybrid),
  estimate: (network, params, batch, options) =>
    hybridOracle(network, params, batch, { ...options, bpLayers: options.bpLayers ?? selectBpLayers(network) }),
};
