// The kept-bytes account: what a training step holds from the moment a buffer is produced until the
// loss vector is known (the shared rule of the estimators and the compiler). Estimators call `keep`
// with each buffer they actually hold; float buffers count floatBytes per element, bit buffers their
// byteLength. This file measures; it never derives bytes from a formula.
import type { BatchnormStats } from '../../kernels/reference/index.js';
import type { KeptBytes, KeptClass } from './types.js';

export class KeptBytesAccount {
  private readonly account: KeptBytes = {
    byClass: { activation: 0, noise: 0, 'sign-bits': 0, loss: 0 },
    byLayer: {},
  };

  constructor(private readonly floatBytes: number) {}

  /** Records a kept buffer; `layer` is undefined only for the loss vector. */
  keep(cls: KeptClass, buffer: Float64Array | Uint32Array, layer?: string): void {
    const bytes = buffer instanceof Uint32Array ? buffer.byteLength : buffer.length * this.floatBytes;
    this.account.byClass[cls] += bytes;
    if (layer !== undefined && cls !== 'loss') {
      const row = (this.account.byLayer[layer] ??= { activation: 0, noise: 0, 'sign-bits': 0 });
      row[cls] += bytes;
    }
  }

  result(): KeptBytes {
    return structuredClone(this.account);
  }
}

/** A batchnorm layer's statistics (per channel means and variances), kept as activations until its gradient. */
export function keepStats(account: KeptBytesAccount, stats: BatchnormStats, layer: string): void {
  account.keep('activation', stats.mean, layer);
  account.keep('activation', stats.variance, layer);
}

/** Per-class maximum over several passes (layer-wise injection frees each pass's buffers after its gradient). */
export function maxKept(accounts: readonly KeptBytes[]): KeptBytes {
  const out: KeptBytes = { byClass: { activation: 0, noise: 0, 'sign-bits': 0, loss: 0 }, byLayer: {} };
  for (const a of accounts) {
    for (const cls of Object.keys(out.byClass) as KeptClass[])
      out.byClass[cls] = Math.max(out.byClass[cls], a.byClass[cls]);
    Object.assign(out.byLayer, a.byLayer);
  }
  return out;
}
