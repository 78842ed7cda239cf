// The block handler of a tfjs-wasm pool worker: loads TF.js's wasm backend once in this thread and
// computes each block it is handed into the shared buffer (tfjs-blocks.ts). Runs only inside a
// worker thread started by tfjs-worker-pool.ts.
import { runBlock } from './tfjs-blocks.js';
import { loadTfjs } from './tfjs-runtime.js';
import type { PoolMessage } from './tfjs-worker-pool.js';

export default (async () => {
  const tf = await loadTfjs();
  return (task: PoolMessage): void => {
    if (task !== 'ping') runBlock(tf, task);
  };
})();
