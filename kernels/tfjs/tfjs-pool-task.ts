// The block handler of a tfjs-wasm pool worker: loads TF.js's wasm backend once in this thread,
// warms the noise generator's JIT (a cold worker ran its first noise chunks ~1.5x slower than the
// warm main thread, which then waited for it), and computes each call it is handed into the
// shared buffer (tfjs-blocks.ts). Runs only inside a worker thread started by tfjs-worker-pool.ts.
import { injectRows } from '../host-noise.js';
import { runBlock } from './tfjs-blocks.js';
import { loadTfjs } from './tfjs-runtime.js';
import type { PoolMessage } from './tfjs-worker-pool.js';

function warmNoise(): void {
  const [rows, units] = [256, 256];
  const a = {
    z: new Float32Array(rows * units),
    sigma: new Float64Array(units).fill(1),
    rows,
    channels: units,
    spatial: 1,
    seed: 0,
    step: 0,
    layer: 0,
    rowOffset: 0,
  };
  for (let i = 0; i < 4; i++)
    injectRows(a, 0, rows, new Float32Array(rows * units), new Uint32Array((rows * units) / 32));
}

export default (async () => {
  const tf = await loadTfjs();
  warmNoise();
  return (task: PoolMessage): void => {
    if (task !== 'ping') runBlock(tf, task);
  };
})();
