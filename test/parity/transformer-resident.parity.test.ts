// Parity of the transformer and ONNX-path kernels run resident (runner.runResident, the path a
// training step takes when its state stays on the device) against the float64 reference, on every
// backend that works here (results must stay on the device where gpu.js has a resident version): token linear (matmul and its two
// transposes, bias + GELU on one spatial position), LayerNorm with a per-layer epsilon forward and
// backward, attention's batched products and row softmax (causal and not) and its backward, GELU's
// backward, the residual add, the patch embedding's conv2d, class/mean pooling's copy-sum and
// gather, and AveragePool with padding counting the padded taps or not, forward and backward.
// Float inputs are uploaded to device handles first (where the backend has device operations), so
// each kernel reads them as its own device layout. Tiny fixed shapes; tolerance 1e-5 + 1e-4 |want|
// (the browser kernel suite's bound), which a wrong epsilon, a lost causal mask or a wrong AveragePool
// divisor exceeds (checked at the end).
import { afterAll, describe, expect, it } from 'vitest';
import { isDeviceTensor } from '../../kernels/device-tensor.js';
import { GPUJS_RESIDENT_KERNELS, GPUJS_RESIDENT_STATE_KERNELS } from '../../kernels/gpujs/gpujs-table.js';
import type { KernelArgs, KernelName, NumArray } from '../../kernels/names.js';
import type { KernelRunner } from '../../kernels/registry.js';
import { referenceTable } from '../../kernels/registry-reference.js';
import { backendsUnderTest, disposeRunners, expectClose, f32Data, runnerFor, suiteName } from './parity-backends.js';

const backends = await backendsUnderTest();
afterAll(disposeRunners);

/** Rows whose means and spreads differ (LayerNorm's inputs). */
const rowsOf = (rows: number, features: number, seed: number): Float64Array =>
  f32Data(rows * features, seed).map((v, i) => Math.fround(3 * v + (Math.floor(i / features) % 3)));

const x6 = f32Data(2 * 3 * 6 * 6, 3);
const avgPad = { rows: 2, channels: 3, height: 6, width: 6, size: 3, stride: 2, padding: 1 };
const patch = { batch: 2, inChannels: 3, height: 6, width: 6, outChannels: 4, kernelSize: 3, stride: 3, padding: 0 };
const ln = { x: rowsOf(5, 7, 40), gamma: f32Data(7, 41), rows: 5, features: 7 };

const cases: Record<string, { [K in KernelName]: [K, KernelArgs[K]] }[KernelName]> = {
  'token linear matmul-a-bt': ['matmul-a-bt', { a: f32Data(6 * 8, 1), b: f32Data(5 * 8, 2), m: 6, k: 8, n: 5 }],
  'token linear backward matmul': ['matmul', { a: f32Data(6 * 5, 3), b: f32Data(5 * 8, 4), m: 6, k: 5, n: 8 }],
  'token linear weight gradient matmul-at-b': [
    'matmul-at-b',
    { a: f32Data(6 * 5, 5), b: f32Data(6 * 8, 6), m: 5, k: 6, n: 8 },
  ],
  'bias + GELU on tokens': [
    'bias-activation',
    {
      z: f32Data(6 * 5, 7).map((v) => 4 * v),
      bias: f32Data(5, 8),
      rows: 6,
      channels: 5,
      spatial: 1,
      activation: 'gelu',
    },
  ],
  'GELU backward': [
    'activation-backward',
    { dy: f32Data(30, 9), x: f32Data(30, 10).map((v) => 4 * v), activation: 'gelu' },
  ],
  'LayerNorm epsilon 1e-6': ['layernorm', { ...ln, beta: f32Data(7, 42), epsilon: 1e-6 }],
  'LayerNorm epsilon 0.5': ['layernorm', { ...ln, beta: f32Data(7, 42), epsilon: 0.5 }],
  'LayerNorm backward epsilon 1e-6': ['layernorm-backward', { ...ln, dy: f32Data(35, 43), epsilon: 1e-6 }],
  'LayerNorm backward epsilon 0.5': ['layernorm-backward', { ...ln, dy: f32Data(35, 43), epsilon: 0.5 }],
  'LayerNorm parameter gradient epsilon 0.5': [
    'layernorm-grad',
    { dy: f32Data(35, 43), x: ln.x, rows: 5, features: 7, epsilon: 0.5 },
  ],
  'attention Q K^T': [
    'batch-matmul',
    { a: f32Data(3 * 4 * 5, 44), b: f32Data(3 * 4 * 5, 45), groups: 3, m: 4, k: 5, n: 4, transpose: 'b' },
  ],
  'attention P V': [
    'batch-matmul',
    { a: f32Data(3 * 4 * 4, 46), b: f32Data(3 * 4 * 5, 47), groups: 3, m: 4, k: 4, n: 5, transpose: 'none' },
  ],
  'attention P^T dO': [
    'batch-matmul',
    { a: f32Data(3 * 4 * 4, 48), b: f32Data(3 * 4 * 5, 49), groups: 3, m: 4, k: 4, n: 5, transpose: 'a' },
  ],
  'softmax causal': [
    'softmax-rows',
    { x: f32Data(3 * 4 * 4, 50).map((v) => 4 * v), rows: 12, width: 4, scale: 0.5, causal: true },
  ],
  'softmax not causal': [
    'softmax-rows',
    { x: f32Data(3 * 4 * 4, 50).map((v) => 4 * v), rows: 12, width: 4, scale: 0.5, causal: false },
  ],
  'softmax backward': [
    'softmax-rows-backward',
    { dy: f32Data(12 * 4, 51), p: f32Data(12 * 4, 52).map(Math.abs), rows: 12, width: 4, scale: 0.5 },
  ],
  'residual add': ['add', { a: f32Data(40, 53), b: f32Data(40, 54) }],
  'patch embedding conv2d': ['conv2d', { x: x6, weights: f32Data(4 * 3 * 9, 55), dims: patch }],
  'patch embedding backward data': [
    'conv2d-backward-data',
    { dy: f32Data(2 * 4 * 2 * 2, 56), weights: f32Data(4 * 3 * 9, 55), dims: patch },
  ],
  'patch embedding backward weights': [
    'conv2d-backward-weights',
    { dy: f32Data(2 * 4 * 2 * 2, 57), x: x6, dims: patch },
  ],
  'mean pool and position gradient copy-sum': [
    'copy-sum',
    { x: f32Data(3 * 4 * 5, 58), samples: 3, copies: 4, width: 5 },
  ],
  'class token and class pool gather': [
    'gather',
    { x: f32Data(9, 59), index: Int32Array.of(3, -1, 0, 8, 8, 2), scale: 0.5 },
  ],
  'AveragePool padded': ['pool', { x: x6, op: 'avg', dims: avgPad }],
  'AveragePool padded counting the padding': ['pool', { x: x6, op: 'avg', dims: { ...avgPad, countIncludePad: true } }],
  'AveragePool backward padded': [
    'pool-backward',
    { dy: f32Data(2 * 3 * 3 * 3, 60), x: new Float64Array(0), op: 'avg', dims: avgPad },
  ],
  'AveragePool backward padded counting the padding': [
    'pool-backward',
    { dy: f32Data(2 * 3 * 3 * 3, 61), x: new Float64Array(0), op: 'avg', dims: { ...avgPad, countIncludePad: true } },
  ],
};

const tol = (want: NumArray) => (i: number) => 1e-5 + 1e-4 * Math.abs(want[i]!);

/** The kernels whose results must stay on the device: gpu.js's resident tables in Node (the browser wire carries the first list only). */
function mustStay(backend: string, name: KernelName): boolean {
  const first = (GPUJS_RESIDENT_KERNELS as readonly string[]).includes(name);
  if (backend === 'headlessgl' || backend === 'webgpu')
    return first || (GPUJS_RESIDENT_STATE_KERNELS as readonly string[]).includes(name);
  return backend.startsWith('browser-') && first;
}

/** The float arrays of `args` uploaded to device handles where the backend has device operations; the rest as given. */
async function onDevice(runner: KernelRunner, args: object): Promise<object> {
  const ops = runner.deviceOps;
  if (!ops) return args;
  const entries = await Promise.all(
    Object.entries(args).map(
      async ([k, v]) =>
        [
          k,
          v instanceof Float64Array && v.length > 0 ? await ops.slice(Float32Array.from(v), 0, v.length) : v,
        ] as const,
    ),
  );
  return Object.fromEntries(entries);
}

/** A result's arrays or handles: the result itself, or layernorm-grad's weights and biases. */
const parts = <T>(o: unknown): T[] =>
  ArrayBuffer.isView(o) || isDeviceTensor(o) ? [o as T] : (Object.values(o as object) as T[]);

for (const status of backends) {
  describe.skipIf(!status.works)(suiteName(status), () => {
    it.each(Object.keys(cases))(
      '%s run resident matches the float64 reference within 1e-5 + 1e-4 |want|',
      async (label) => {
        const [name, args] = cases[label]!;
        const runner = await runnerFor(status.backend);
        const got = await runner.runResident(name, (await onDevice(runner, args)) as never);
        expect(got.backend).toBe(status.backend);
        if (mustStay(status.backend, name))
          expect(parts(got.out).every(isDeviceTensor), `${label} stays on the device`).toBe(true);
        const want = parts<NumArray>(await (referenceTable[name] as (a: never) => Promise<unknown>)(args as never));
        const host = await Promise.all(
          parts<unknown>(got.out).map(async (p) => (isDeviceTensor(p) ? p.download() : (p as NumArray))),
        );
        host.forEach((g, i) => expectClose(g, want[i]!, tol(want[i]!), `${label} part ${i}`));
      },
    );
  });
}

describe('transformer kernels run resident: a broken kernel fails the bound', () => {
  const worstRatio = (got: NumArray, want: NumArray): number =>
    Math.max(...Array.from(want, (w, i) => Math.abs(got[i]! - w) / tol(want)(i)));
  it.each([
    ['a LayerNorm that keeps epsilon 1e-5 where the layer says 0.5', 'LayerNorm epsilon 0.5', { epsilon: 1e-5 }],
    [
      'a LayerNorm backward that keeps epsilon 1e-5 where the layer says 0.5',
      'LayerNorm backward epsilon 0.5',
      { epsilon: 1e-5 },
    ],
    ['a softmax that forgets the causal mask', 'softmax causal', { causal: false }],
    [
      'an AveragePool that counts the padded taps where the layer does not',
      'AveragePool padded',
      { dims: { ...avgPad, countIncludePad: true } },
    ],
    [
      'an AveragePool backward that does not count the padded taps where the layer does',
      'AveragePool backward padded counting the padding',
      { dims: avgPad },
    ],
  ] as const)('%s', async (_, label, change) => {
    const [name, args] = cases[label]!;
    const run = referenceTable[name] as (a: never) => Promise<NumArray>;
    expect(worstRatio(await run({ ...args, ...change } as never), await run(args as never))).toBeGreaterThan(1);
  });
});
