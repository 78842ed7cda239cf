// The V8 heap setting of `alrflow compare`. A compare of resnet9 on multicore-16 keeps about 110 MB of
// JS heap live at its peak (the M=16 layer-pipelined rows: a compiled step, its trial's setup and the
// next core count's trial), but V8 let the old generation grow to about 3.8 x the live bytes of its
// last full collection before the next, so the process peaked at 420-550 MB of RSS. Letting it grow by
// 50 % between full collections keeps it near 260 MB; the extra marking runs mostly on V8's helper
// threads. It changes when garbage is collected, never what a row computes. sim/README records the
// measurements.
import { setFlagsFromString } from 'node:v8';

export function tuneGcForCompare(): void {
  setFlagsFromString('--heap-growing-percent=50');
}
