// `gpipe`: BP pipeline; every stage runs all forward micro-batches, then all backward ones.
import type { Schedule } from './schedule.js';

export const gpipe: Schedule = {
  name: 'gpipe',
  summary: 'BP pipeline: all forwards, then all backwards',
  pipelined: true,
  barrier: false,
  staleness: [0],
  blockOrder: (_s, _S, M) => ({
    forward: Array.from({ length: M }, (_, t) => t),
    backward: Array.from({ length: M }, (_, t) => M + t),
  }),
};
