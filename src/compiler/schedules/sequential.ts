// `sequential`: one op after another, each split into row shards over the whole machine and finished
// by all its shards before the next starts.
import type { Schedule } from './schedule.js';

export const sequential: Schedule = {
  name: 'sequential',
  summary: 'one op after another, each spread over every core',
  pipelined: false,
  barrier: true,
  staleness: [0],
};
