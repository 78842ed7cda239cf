// Where a pass keeps its noise until the loss is known, in one of three storage modes (DESIGN.md):
// 'float' keeps eps, 'sign-bits' keeps a Uint32Array of its signs (32 a word, bit 1 for eps >= 0),
// 'regenerate' keeps only the RNG request and recomputes eps from the counter-based generator.
// Every kept buffer is recorded in the kept-bytes account as it is stored.
import { signPack, signUnpack } from '../../kernels/reference/index.js';
import { InvalidInputError } from '../errors.js';
import type { KeptBytesAccount } from './kept-bytes.js';
import { sampleNoise, type NoiseRequest } from '../../kernels/rng.js';
import type { NoiseStorage } from './types.js';

type Entry =
  | { storage: 'float'; eps: Float64Array }
  | { storage: 'sign-bits'; bits: Uint32Array; length: number }
  | { storage: 'regenerate'; request: NoiseRequest };

export class NoiseStore {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly storage: NoiseStorage,
    private readonly kept: KeptBytesAccount,
  ) {}

  /** Draws eps for `request`, keeps it in this store's mode, and returns the float draw for injection. */
  draw(layerName: string, request: NoiseRequest): Float64Array {
    const eps = sampleNoise(request);
    switch (this.storage) {
      case 'float':
        this.kept.keep('noise', eps, layerName);
        this.entries.set(layerName, { storage: 'float', eps });
        break;
      case 'sign-bits': {
        const bits = signPack(eps);
        this.kept.keep('sign-bits', bits, layerName);
        this.entries.set(layerName, { storage: 'sign-bits', bits, length: eps.length });
        break;
      }
      case 'regenerate':
        this.entries.set(layerName, { storage: 'regenerate', request });
        break;
      default:
        this.storage satisfies never;
    }
    return eps;
  }

  /** The +-1 signs of the stored noise (bit 1 -> +1). */
  signs(layerName: string): Float64Array {
    const e = this.entry(layerName);
    if (e.storage === 'sign-bits') return signUnpack(e.bits, e.length);
    return this.floats(layerName).map((v) => (v >= 0 ? 1 : -1));
  }

  /** The float noise; impossible when only sign bits were kept. */
  floats(layerName: string): Float64Array {
    const e = this.entry(layerName);
    switch (e.storage) {
      case 'float':
        return e.eps;
      case 'regenerate':
        return sampleNoise(e.request);
      case 'sign-bits':
        throw new InvalidInputError(
          `layer ${layerName}: the noise magnitudes were not kept (noiseStorage 'sign-bits'); allowed for LR, learned sigma: 'float' or 'regenerate'`,
        );
      default:
        return e satisfies never;
    }
  }

  private entry(layerName: string): Entry {
    const e = this.entries.get(layerName);
    if (!e) throw new Error(`internal: no noise kept for layer ${layerName}`);
    return e;
  }
}
