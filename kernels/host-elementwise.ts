// Element-wise kernels written as host loops for the CPU backend tfjs-wasm, where a plain loop beats
// a TF.js round trip (float64 -> float32 copy, upload, op, dataSync copy) on the sizes a training
// step uses (measured at 10^6 signs: 8 ms -> 2 ms; SGD on 2*10^5 weights: 3.4 ms -> 1.8 ms): sign-bit
// packing, the SGD update and BP through an activation (bias + activation stays in TF.js: a host loop
// was not faster; the backward is one call of the op table's scalar function per element). Results
// are float32, like the rest of that backend. Arguments are checked by the registry (registry-checks)
// before these run, so they do not re-validate. Not used by the reference or the GPU backends.
import type { ActivationBackwardArgs, KernelOutputs, NumArray, SgdUpdateArgs } from './names.js';
import { activationOp } from './ops/activations.js';

// One packing loop per array type, so each stays monomorphic (see registry-checks.ts), and
// branch-free: noise signs are coin flips, and an `if` per element mispredicts half the time
// (measured 9 ms vs 1.8 ms per 10^6 signs). A Uint32Array store wraps bit 31's negative int.
function pack32(values: Float32Array, words: Uint32Array): void {
  const full = values.length >>> 5;
  for (let w = 0; w < full; w++) {
    let word = 0;
    for (let bit = 0, i = w << 5; bit < 32; bit++, i++) word |= +(values[i]! >= 0) << bit;
    words[w] = word;
  }
  for (let i = full << 5; i < values.length; i++) words[full]! |= +(values[i]! >= 0) << (i & 31);
}

function pack64(values: Float64Array, words: Uint32Array): void {
  const full = values.length >>> 5;
  for (let w = 0; w < full; w++) {
    let word = 0;
    for (let bit = 0, i = w << 5; bit < 32; bit++, i++) word |= +(values[i]! >= 0) << bit;
    words[w] = word;
  }
  for (let i = full << 5; i < values.length; i++) words[full]! |= +(values[i]! >= 0) << (i & 31);
}

/** Bit i of word j is 1 when values[32j + i] >= 0 (layout of kernels/reference/sign-pack.ts). */
export function hostSignPack(values: NumArray): Uint32Array {
  const words = new Uint32Array(Math.ceil(values.length / 32));
  if (values instanceof Float32Array) pack32(values, words);
  else pack64(values, words);
  return words;
}

/** v' = momentum v + g; w' = w - lr v', both float32. */
export function hostSgdUpdate({ w, g, v, lr, momentum }: SgdUpdateArgs): KernelOutputs['sgd-update'] {
  const v1 = new Float32Array(w.length);
  const w1 = new Float32Array(w.length);
  for (let i = 0; i < w.length; i++) {
    const vi = momentum * v[i]! + g[i]!;
    v1[i] = vi;
    w1[i] = w[i]! - lr * vi;
  }
  return { w: w1, v: v1 };
}

/**
 * dx = dy * f'(x) through an activation of the op table, in float64 (the one float64 result here:
 * it replaced host code of the runtime that computed in float64, and BP's numbers stay as they were).
 */
export function hostActivationBackward({ dy, x, activation }: ActivationBackwardArgs): Float64Array {
  const { backward } = activationOp(activation);
  const dx = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) dx[i] = backward(dy[i]!, x[i]!);
  return dx;
}
