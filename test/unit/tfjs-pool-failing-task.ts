// Test double for tfjs-worker-pool.test.ts (not a test file): a pool task module that answers the
// warm-up ping, then ends its worker thread on a matmul call (a crash) and throws on any other call.
import type { PoolMessage } from '../../kernels/tfjs/tfjs-worker-pool.js';

export default Promise.resolve((task: PoolMessage): void => {
  if (task === 'ping') return;
  if (task.spec.kind === 'matmul') process.exit(3);
  throw new Error(`test double: ${task.spec.kind} block failed on purpose`);
});
