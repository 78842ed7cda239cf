// The table Box-Muller (kernels/box-muller.ts) against the library functions it replaces, over
// every one of the 2^24 states of each uniform: ln u to 1e-14 relative (1e-19 absolute for u near 1,
// where ln u is ~3e-8), cos(2 pi u) and sin(2 pi u) to 1e-15 absolute, and the signs of the cosine and
// the sine exact everywhere, because ALR keeps only that sign (the two branches of rng v2's pairs).
import { describe, expect, it } from 'vitest';
import { cosUniform, lnUniform, normalFromStates, sinUniform } from '../../kernels/box-muller.js';

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

  for (const [name, table, exact] of [
    ['cos', cosUniform, Math.cos],
    ['sin', sinUniform, Math.sin],
  ] as const) {
    it(`${name}(2 pi (s + 0.5) / 2^24) matches Math.${name} to 1e-15 absolute, with the same sign, for every state`, () => {
      let worst = 0;
      let signFlips = 0;
      for (let s = 0; s < TWO_24; s++) {
        const want = exact((2 * Math.PI * (s + 0.5)) / TWO_24);
        const got = table(s);
        worst = Math.max(worst, Math.abs(got - want));
        if (got >= 0 !== want >= 0) signFlips++;
      }
      expect(worst).toBeLessThan(1e-15);
      expect(signFlips).toBe(0);
    });
  }

  it('both normals of a pair equal the library formula to float64 rounding on drawn states', () => {
    for (let i = 0; i < 100_000; i++) {
      const s1 = (i * 2654435761) % TWO_24;
      const s2 = (i * 40503 + 977) % TWO_24;
      const radius = Math.sqrt(-2 * Math.log((s1 + 0.5) / TWO_24));
      const angle = (2 * Math.PI * (s2 + 0.5)) / TWO_24;
      for (const [branch, exact] of [radius * Math.cos(angle), radius * Math.sin(angle)].entries())
        expect(Math.abs(normalFromStates(s1, s2, branch) - exact)).toBeLessThan(1e-14 * Math.max(1, Math.abs(exact)));
    }
  });
});
