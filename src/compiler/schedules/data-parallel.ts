// `data-parallel`: every core runs the whole step on its row shard (samples x copies); only the
// gradient all-reduce synchronises the cores.
import type { Schedule } from './schedule.js';

export const dataParallel: Schedule = {
  name: 'data-parallel',
  summary: 'each core runs the whole step on its rows; gradients all-reduced',
  pipelined: false,
  barrier: false,
  staleness: [0],
};
