// `1f1b`: BP pipeline; stage s warms up S - s forwards, then alternates one backward and one forward.
import { oneForwardOneBackward, type Schedule } from './schedule.js';

export const oneFOneB: Schedule = {
  name: '1f1b',
  summary: 'BP pipeline: warm-up forwards, then one backward, one forward',
  pipelined: true,
  barrier: false,
  staleness: [0],
  blockOrder: oneForwardOneBackward,
};
