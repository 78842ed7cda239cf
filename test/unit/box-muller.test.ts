// The table Box-Muller (kernels/box-muller.ts) against the library functions it replaces, over
// every one of the 2^24 states of each uniform: ln u to 1e-14 relative (1e-19 absolute for u near 1,
// where ln u is ~3e-8), cos(2 pi u) to 1e-15 absolute, and the sign of the
// cosine exact everywhere, because ALR keeps only that sign.
import { describe, expect, it } from 'vitest';
import { cosUniform, lnUniform, normalFromStates } from '../../kernels/box-muller.js';

const TWO_24 = 2 ** 24;

describe('table Box-Muller', () => {
  it('ln((s + 0.5) / 2^24) matches Math.log to 1e-14 relative or 1e-19 absolute for every 24-bit state', () => {
    let worst = 0;
    for (let s = 0; s < TWO_24; s++) {
      const exact = Math.log((s + 0.5) / TWO_24);
      worst = Math.max(worst, Math.abs(lnUniform(s) - exact) / (1e-14 * -exact + 1e-19));
    }
    expect(worst).toBeLessThan(1);
  });

  it('cos(2 pi (s + 0.5) / 2^24) matches Math.cos to 1e-15 absolute, with the same sign, for every state', () => {
    let worst = 0;
    let signFlips = 0;
    for (let s = 0; s < TWO_24; s++) {
      const exact = Math.cos((2 * Math.PI * (s + 0.5)) / TWO_24);
      const table = cosUniform(s);
      worst = Math.max(worst, Math.abs(table - exact));
      if (table >= 0 !== exact >= 0) signFlips++;
    }
    expect(worst).toBeLessThan(1e-15);
    expect(signFlips).toBe(0);
  });

  it('a normal draw equals the library formula to float64 rounding on drawn states', () => {
    for (let i = 0; i < 100_000; i++) {
      const s1 = (i * 2654435761) % TWO_24;
      const s2 = (i * 40503 + 977) % TWO_24;
      const exact = Math.sqrt(-2 * Math.log((s1 + 0.5) / TWO_24)) * Math.cos((2 * Math.PI * (s2 + 0.5)) / TWO_24);
      expect(Math.abs(normalFromStates(s1, s2) - exact)).toBeLessThan(1e-14 * Math.max(1, Math.abs(exact)));
    }
  });
});
