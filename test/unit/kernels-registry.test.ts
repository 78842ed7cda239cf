// The registry's contract outside the numbers: unknown backend names list the valid ones, backends
// that cannot run say why, bad shapes and non-finite values raise typed errors on every backend
// that works here, `auto` picks a working backend and results name the backend that ran, and
// `alrflow backends --json` reports all of it.
import { execFileSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { BACKEND_NAMES, detectAll, detectBackend, parseBackendChoice } from '../../kernels/backends.js';
import { chooseAuto, type KernelRunner, openBackend, probeBackend } from '../../kernels/registry.js';
import { ConfigError, InvalidInputError, UnsupportedKernelError } from '../../src/errors.js';

const statuses = await detectAll();
const working = statuses.filter((s) => s.works);
const runners: KernelRunner[] = [];
afterAll(async () => {
  for (const r of runners) await r.dispose();
});

describe('backend names', () => {
  it('an unknown --backend is a ConfigError that lists every valid name', async () => {
    await expect(openBackend('webgl3')).rejects.toBeInstanceOf(ConfigError);
    const err = (() => {
      try {
        parseBackendChoice('webgl3');
        return null;
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    for (const name of [...BACKEND_NAMES, 'auto']) expect(err?.message).toContain(name);
  });

  it('headless-gl is unavailable here with a reason naming gl or the display', async () => {
    const gl = await detectBackend('headlessgl');
    if (gl.works) return expect(process.env['DISPLAY']).toBeTruthy();
    expect(gl.reason).toMatch(/gl|display/i);
    await expect(openBackend('headlessgl')).rejects.toBeInstanceOf(UnsupportedKernelError);
  });

  it('every backend that does not work carries a non-empty reason', () => {
    for (const s of statuses.filter((b) => !b.works)) expect(s.reason?.length ?? 0, s.backend).toBeGreaterThan(10);
  });
});

describe('auto', () => {
  it('picks the fastest working backend by the probe and results report it', async () => {
    const auto = await chooseAuto();
    const measured = auto.probes.filter((p) => p.gflops !== null);
    expect(measured.map((p) => p.backend)).toContain(auto.backend);
    expect(Math.max(...measured.map((p) => p.gflops!))).toBe(measured.find((p) => p.backend === auto.backend)!.gflops);
    const runner = await openBackend('auto');
    runners.push(runner);
    const r = await runner.run('row-sum', { x: Float64Array.of(1, 2, 3, 4), rows: 2, cols: 2 });
    expect(r.backend).toBe(auto.backend);
    expect(Array.from(r.out)).toEqual([3, 7]);
  });
  it.runIf(working.some((s) => s.backend === 'tfjs-wasm'))(
    'ranks TF.js wasm above the gpu.js CPU modes even while two busy threads load the machine',
    async () => {
      const spin = 'const end = Date.now() + 20000; while (Date.now() < end) {}';
      const busy = [0, 1].map(() => new Worker(spin, { eval: true }));
      try {
        const tfjs = await probeBackend('tfjs-wasm');
        const webasm = await probeBackend('webasm');
        expect(tfjs.gflops!).toBeGreaterThan(webasm.gflops!);
      } finally {
        await Promise.all(busy.map((w) => w.terminate()));
      }
    },
  );
});

for (const s of working) {
  describe(`bad input on ${s.backend}`, () => {
    it('a shape mismatch is an InvalidInputError naming the kernel and argument', async () => {
      const runner = await openBackend(s.backend);
      runners.push(runner);
      const bad = runner.run('matmul', { a: new Float64Array(6), b: new Float64Array(5), m: 2, k: 3, n: 2 });
      await expect(bad).rejects.toBeInstanceOf(InvalidInputError);
      await expect(bad).rejects.toThrow(/matmul: b has 5 elements; expected 6/);
      const conv = runner.run('conv2d', {
        x: new Float64Array(4),
        weights: new Float64Array(9),
        dims: { batch: 1, inChannels: 1, height: 2, width: 2, outChannels: 1, kernelSize: 3, stride: 1, padding: 0 },
      });
      await expect(conv).rejects.toBeInstanceOf(InvalidInputError);
    });

    it('a non-finite value or non-positive sigma is an InvalidInputError naming the index', async () => {
      const runner = await openBackend(s.backend);
      runners.push(runner);
      await expect(runner.run('row-sum', { x: Float64Array.of(1, Number.NaN), rows: 1, cols: 2 })).rejects.toThrow(
        /x\[1\] = NaN/,
      );
      const noise = {
        z: new Float64Array(2),
        sigma: Float64Array.of(0.1, 0),
        rows: 1,
        channels: 2,
        spatial: 1,
        seed: 1,
        step: 0,
        layer: 0,
        rowOffset: 0,
      };
      await expect(runner.run('noise-inject', noise)).rejects.toThrow(/sigma\[1\] = 0/);
      await expect(
        runner.run('noise-inject', { ...noise, sigma: Float64Array.of(1, 1), seed: -1 }),
      ).rejects.toBeInstanceOf(InvalidInputError);
      await expect(
        runner.run('softmax-cross-entropy', {
          logits: new Float64Array(4),
          labels: Int32Array.of(0, 2),
          rows: 2,
          classes: 2,
        }),
      ).rejects.toThrow(/labels\[1\] = 2/);
    });
  });
}

describe('alrflow backends', () => {
  it('--json lists every backend with works, reason and probe speed, and marks auto', () => {
    const out = execFileSync('node', ['src/cli/alrflow.mjs', 'backends', '--json'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    const report = JSON.parse(out) as {
      auto: string;
      backends: { backend: string; works: boolean; reason: string | null; probeGflops: number | null; auto: boolean }[];
    };
    expect(report.backends.map((b) => b.backend)).toEqual([...BACKEND_NAMES]);
    expect(report.backends.filter((b) => b.auto).map((b) => b.backend)).toEqual([report.auto]);
    for (const b of report.backends) expect(b.works ? b.probeGflops! > 0 : b.reason !== null).toBe(true);
  });
});
