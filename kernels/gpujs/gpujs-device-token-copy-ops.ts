// The token layers' forward over K perturbed parameter copies ([K, P], copy-major: copy g's output rows
// are g * rows .. g * rows + rows - 1) as gpu.js pipeline kernels, for resident ES/AES steps on token
// networks: LayerNorm (layernorm.ts's body, gamma and beta read at the copy's start) and the class token
// (each copy's token before its rows' tokens). An input every copy shares (one copy's rows) is read at
// the row within the copy. The position table is a per-copy bias (biasActivationCopies). Not a registry kernel.
import type { CopyLayout, DeviceOps } from '../device-ops.js';
import type { DeviceTensor } from '../device-tensor.js';
import { f32, type Flat, type Launcher, type ThreadThis } from './gpujs-context.js';

/** Constants: features, rows per copy, copyWidth = P, shared = 1 when every copy reads the same rows. */
function layernormCopiesBody(this: ThreadThis, x: Flat, p: Flat, eps: number): number {
  const f = this.thread.x;
  const r = this.thread.y;
  const g = Math.floor((r + 0.5) / this.constants.rows);
  const base = (r - g * this.constants.rows * this.constants.shared) * this.constants.features;
  let mean = 0;
  for (let j = 0; j < this.constants.features; j++) mean += x[base + j]!;
  mean = mean / this.constants.features;
  let variance = 0;
  for (let j = 0; j < this.constants.features; j++) variance += (x[base + j]! - mean) * (x[base + j]! - mean);
  const inv = 1 / Math.sqrt(variance / this.constants.features + eps);
  const at = g * this.constants.copyWidth;
  return p[at + f]! * (x[base + f]! - mean) * inv + p[at + this.constants.features + f]!;
}

/** Constants: tokens (the class token's included), features, and the layout's. Token 0 is the copy's parameters. */
function classTokenCopiesBody(this: ThreadThis, x: Flat, p: Flat): number {
  const f = this.thread.x;
  const t = this.thread.y;
  const r = this.thread.z;
  const g = Math.floor((r + 0.5) / this.constants.rows);
  const xr = r - g * this.constants.rows * this.constants.shared;
  let value = 0;
  if (t < 1) value = p[g * this.constants.copyWidth + f]!;
  else value = x[(xr * (this.constants.tokens - 1) + t - 1) * this.constants.features + f]!;
  return value;
}

const layoutConstants = (a: CopyLayout) => ({ rows: a.rows, copyWidth: a.width, shared: a.shared ? 1 : 0 });

export function gpujsTokenCopyOps(
  gpu: Launcher<DeviceTensor>,
): Pick<DeviceOps, 'layernormCopies' | 'classTokenCopies'> {
  return {
    layernormCopies: (x, p, a) => {
      const k = gpu.kernel('layernorm-copies', layernormCopiesBody, {
        output: [a.features, a.copies * a.rows],
        constants: { ...layoutConstants(a), features: a.features },
      });
      return gpu.call(k, f32(x), f32(p), a.epsilon);
    },
    classTokenCopies: (x, p, a) => {
      const k = gpu.kernel('class-token-copies', classTokenCopiesBody, {
        output: [a.features, a.tokens, a.copies * a.rows],
        constants: { ...layoutConstants(a), tokens: a.tokens, features: a.features },
      });
      return gpu.call(k, f32(x), f32(p));
    },
  };
}
