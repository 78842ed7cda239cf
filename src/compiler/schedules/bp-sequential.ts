// `bp-sequential`: backpropagation's plain schedule, one op after another over the whole machine.
import type { Schedule } from './schedule.js';

export const bpSequential: Schedule = {
  name: 'bp-sequential',
  summary: 'BP, one op after another, each spread over every core',
  pipelined: false,
  barrier: true,
  staleness: [0],
};
