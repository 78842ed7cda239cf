// The V8 heap setting of training runs. A CPU training step (MLP LR or ALR N=64 K=64 on tfjs-wasm)
// keeps about 22 MB of JS heap live and V8 ran a full mark-compact every 3-4 steps at that size
// (28-31 per 100 steps), marking concurrently on its four helper threads: about 5 ms of a 21 ms
// step's CPU outside the main thread. Letting the old generation grow by 150% between collections
// instead of V8's dynamic factor leaves 4-8 per 100 steps; the heap still peaks near 25 MB. It
// changes when garbage is collected, never what the step computes. bench/RESULTS.md records the
// measurements; bench/peer-alrflow-worker.ts sets it as `train` does.
import { setFlagsFromString } from 'node:v8';

export function tuneGcForTraining(): void {
  setFlagsFromString('--heap-growing-percent=150');
}
