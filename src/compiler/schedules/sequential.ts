// `sequential`: one op after another, each split into row shards over the whole machine and finished
// by all its shards before the next starts.
import { gradientMethods, type Schedule } from './schedule.js';

export const sequential: Schedule = {
  name: 'sequential',
  summary: 'one op after another, each spread over every core',
  methods: ['bp', ...gradientMethods],
  pipelined: false,
  barrier: true,
  staleness: [0],
};
