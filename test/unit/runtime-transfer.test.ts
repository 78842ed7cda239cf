// A Transfer node between pipeline stages is a real copy that keeps residency: a device tensor is
// copied on the device (never read back to the host), a host array into a fresh host array; the
// copy has the producer's values and shares no buffer with it.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { isDeviceTensor, type DeviceTensor } from '../../kernels/device-tensor.js';
import type { IrNode } from '../../src/ir/types.js';
import type { ExecContext } from '../../src/train/runtime/exec-context.js';
import { executeNode } from '../../src/train/runtime/execute-graph.js';
import { resolveKernels, type ResolvedKernels } from '../../src/train/runtime/resolve-kernels.js';

let resolved: ResolvedKernels;
beforeAll(async () => {
  resolved = await resolveKernels('tfjs-wasm', true);
});
afterAll(() => resolved.dispose());

const transfer: IrNode = {
  id: 't',
  kind: 'Transfer',
  phase: 'communication',
  inputs: ['a'],
  outputs: ['b'],
  bytes: 4 * 24,
  fromCore: 0,
  toCore: 1,
};
const z = Float32Array.from({ length: 24 }, (_, i) => Math.sin(i));

function context(value: unknown): ExecContext {
  return { env: new Map([['a', value]]), device: resolved.device, kernels: resolved.kernels } as unknown as ExecContext;
}

test('a device tensor is copied on the device: a new handle with the same values, the source never read back', async () => {
  const source = (await resolved.device['bias-activation']({
    z,
    bias: new Float32Array(6),
    rows: 4,
    channels: 6,
    spatial: 1,
    activation: 'none',
  })) as DeviceTensor;
  expect(isDeviceTensor(source)).toBe(true);
  const ctx = context(source);
  await executeNode(ctx, transfer);
  const copy = ctx.env.get('b');
  expect(isDeviceTensor(copy)).toBe(true);
  expect(copy).not.toBe(source);
  expect(source.downloaded).toBeUndefined();
  expect(Array.from(await (copy as DeviceTensor).download())).toEqual(Array.from(z));
  resolved.releaseHandles();
});

test('a host array is copied into a new array', async () => {
  const ctx = context(z);
  await executeNode(ctx, transfer);
  const copy = ctx.env.get('b') as Float32Array;
  expect(copy).not.toBe(z);
  expect(Array.from(copy)).toEqual(Array.from(z));
});
