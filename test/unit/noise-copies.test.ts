// noise-inject's `copies` argument: z holds rows / copies rows and output row r adds z row
// floor(r / copies). On every backend that works here, a call with the short z gives exactly the
// values and signs of the same call with z's rows repeated (what callers passed before), and a
// copies that does not divide rows is refused naming it.
import { afterAll, describe, expect, it } from 'vitest';
import { detectAll } from '../../kernels/backends.js';
import { type KernelRunner, openBackend } from '../../kernels/registry.js';
import { withRepeatedZ } from '../../kernels/noise-copies.js';
import { InvalidInputError } from '../../src/errors.js';

const working = (await detectAll()).filter((s) => s.works);
const runners: KernelRunner[] = [];
afterAll(async () => {
  for (const r of runners) await r.dispose();
});

const [zRows, copies, channels, spatial] = [3, 4, 4, 16];
const units = channels * spatial;
const call = {
  z: Float32Array.from({ length: zRows * units }, (_, i) => Math.sin(i) * 2),
  sigma: Float64Array.of(0.1, 0.2, 0.3, 0.4),
  rows: zRows * copies,
  channels,
  spatial,
  seed: 17,
  step: 2,
  layer: 3,
  rowOffset: 8,
  copies,
};

it('withRepeatedZ repeats each z row copies times (the form every kernel once received)', () => {
  const full = withRepeatedZ(call);
  expect(full.copies).toBe(1);
  expect(full.z.length).toBe(call.rows * units);
  for (let r = 0; r < call.rows; r++)
    expect(Array.from(full.z.subarray(r * units, (r + 1) * units))).toEqual(
      Array.from(call.z.subarray(Math.floor(r / copies) * units, (Math.floor(r / copies) + 1) * units)),
    );
});

for (const s of working) {
  describe(`noise-inject copies on ${s.backend}`, () => {
    it('the short z gives the repeated z call bit for bit, out and signs', async () => {
      const runner = await openBackend(s.backend);
      runners.push(runner);
      const full = withRepeatedZ(call);
      const noisy = async (a: typeof call): Promise<number[]> => Array.from((await runner.run('noise-inject', a)).out);
      expect(await noisy(call)).toEqual(await noisy(full));
      const short = (await runner.run('noise-inject-signs', call)).out;
      const long = (await runner.run('noise-inject-signs', full)).out;
      expect(Array.from(short.out)).toEqual(Array.from(long.out));
      expect(Array.from(short.signs)).toEqual(Array.from(long.signs));
      // Reading z row r (not r / copies) would differ: the rows of z differ.
      expect(await noisy({ ...full, z: full.z.map((v, i) => (i < units ? v : v + 1)) })).not.toEqual(await noisy(full));
    });

    it('a copies that does not divide rows, or a z of the wrong length, is refused', async () => {
      const runner = await openBackend(s.backend);
      runners.push(runner);
      const bad = runner.run('noise-inject', { ...call, copies: 5 });
      await expect(bad).rejects.toBeInstanceOf(InvalidInputError);
      await expect(bad).rejects.toThrow(/copies = 5 for 12 rows; allowed: a positive integer that divides rows/);
      await expect(runner.run('noise-inject', { ...call, copies: 2 })).rejects.toThrow(
        /z has 192 elements; expected 384/,
      );
    });
  });
}
