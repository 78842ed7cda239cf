// The browser-webgpu / browser-webgl2 backends through the registry: a matmul-a-bt -> bias-activation
// -> matmul-a-bt chain run resident keeps its intermediates in the page (handles, never host arrays),
// matches the float64 reference, and moves only the inputs and the final result across the channel;
// the same chain on host arrays moves every intermediate both ways. Prints the transfer cost of both.
// Skipped, with the reason printed, where a backend cannot run.
import { afterAll, describe, expect, it } from 'vitest';
import { detectBackend } from '../../kernels/backends.js';
import { isDeviceTensor } from '../../kernels/device-tensor.js';
import type { BackendName } from '../../kernels/names.js';
import { type KernelRunner, openBackend } from '../../kernels/registry.js';
import { referenceTable } from '../../kernels/registry-reference.js';
import { expectClose, f32Data } from '../parity/parity-backends.js';

const m = 64,
  k = 300,
  h = 128,
  n = 10;
const [x, w1, b1, w2] = [f32Data(m * k, 41), f32Data(h * k, 42), f32Data(h, 43), f32Data(n * h, 44)].map((a) =>
  Float32Array.from(a),
);
const runners: KernelRunner[] = [];
afterAll(async () => Promise.all(runners.map((r) => r.dispose())));

for (const backend of ['browser-webgpu', 'browser-webgl2'] as const satisfies readonly BackendName[]) {
  const status = await detectBackend(backend);
  if (!status.works) console.log(`[browser] ${backend} skipped: ${status.reason}`);
  describe.skipIf(!status.works)(`${backend} (${status.engine})`, () => {
    it('a resident chain keeps its intermediates in the page, matches the reference, and moves only inputs and result', async () => {
      const runner = await openBackend(backend);
      runners.push(runner);
      const before = runner.transfer!();
      const z = await runner.runResident('matmul-a-bt', { a: x!, b: w1!, m, k, n: h });
      const act = await runner.runResident('bias-activation', {
        z: z.out,
        bias: b1!,
        rows: m,
        channels: h,
        spatial: 1,
        activation: 'relu',
      });
      const out = await runner.runResident('matmul-a-bt', { a: act.out, b: w2!, m, k: h, n });
      for (const r of [z, act, out]) expect(r.backend).toBe(backend);
      for (const t of [z.out, act.out, out.out]) expect(isDeviceTensor(t) && t.backend === backend).toBe(true);
      const got = isDeviceTensor(out.out) ? await out.out.download() : out.out;
      const resident = delta(before, runner.transfer!());
      const ref = referenceTable;
      const want = await ref['matmul-a-bt']({
        a: await ref['bias-activation']({
          z: await ref['matmul-a-bt']({ a: x!, b: w1!, m, k, n: h }),
          bias: b1!,
          rows: m,
          channels: h,
          spatial: 1,
          activation: 'relu',
        }),
        b: w2!,
        m,
        k: h,
        n,
      });
      expectClose(got, want, (i) => 1e-4 * Math.abs(want[i]!) + 1e-4, `${backend} chain`);
      const inputBytes = 4 * (x!.length + w1!.length + b1!.length + w2!.length);
      expect(resident.bytesToPage).toBe(inputBytes);
      expect(resident.bytesFromPage).toBe(4 * m * n);
      for (const t of [z.out, act.out, out.out]) if (isDeviceTensor(t)) t.dispose();

      const hostBefore = runner.transfer!();
      const hz = await runner.run('matmul-a-bt', { a: x!, b: w1!, m, k, n: h });
      const ha = await runner.run('bias-activation', {
        z: hz.out,
        bias: b1!,
        rows: m,
        channels: h,
        spatial: 1,
        activation: 'relu',
      });
      await runner.run('matmul-a-bt', { a: ha.out, b: w2!, m, k: h, n });
      const host = delta(hostBefore, runner.transfer!());
      expect(host.bytesFromPage).toBe(4 * (2 * m * h + m * n));
      console.log(
        `[browser] ${backend} chain transfer: resident ${resident.bytesToPage + resident.bytesFromPage} B in ${resident.transferMs.toFixed(1)} ms (page ${resident.pageMs.toFixed(1)} ms); host arrays ${host.bytesToPage + host.bytesFromPage} B in ${host.transferMs.toFixed(1)} ms (page ${host.pageMs.toFixed(1)} ms)`,
      );
    }, 120_000);
  });
}

function delta(
  a: ReturnType<NonNullable<KernelRunner['transfer']>>,
  b: ReturnType<NonNullable<KernelRunner['transfer']>>,
) {
  return {
    bytesToPage: b.bytesToPage - a.bytesToPage,
    bytesFromPage: b.bytesFromPage - a.bytesFromPage,
    transferMs: b.transferMs - a.transferMs,
    pageMs: b.pageMs - a.pageMs,
  };
}
