// `layer-pipelined`: the forward-only pipeline. Stages of layers on runs of cores; a stage's forward
// of micro-batch t + 1 overlaps its gradient products of micro-batch t; only the loss scalars travel
// back. Staleness 1 overlaps step i's forwards with step i - 1's gradient work (weights one update old).
import { oneForwardOneBackward, type Schedule } from './schedule.js';

export const layerPipelined: Schedule = {
  name: 'layer-pipelined',
  summary: 'forward-only pipeline of stages; --staleness 1 overlaps steps',
  pipelined: true,
  barrier: false,
  staleness: [0, 1],
  blockOrder: oneForwardOneBackward,
};
