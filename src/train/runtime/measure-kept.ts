// The bytes a step really holds until its loss is known, measured on the buffers in the executed
// graph's environment: for each tensor the compiler's rule counts as kept (keptTensors: produced
// before the loss, read after it), the buffer that is there, sign bits at their byteLength, floats at
// the float32 width the device backends keep them in. The graph-to-simulator bridge test compares
// these with what the compiler counts on the simulated graph.
import { keptTensors } from '../../compiler/kept-bytes.js';
import { elementCount } from '../../ir/graph.js';
import type { TensorClass } from '../../ir/types.js';
import type { ExecContext } from './exec-context.js';
import { emptyKeptBytes, keptFloatBytes, type KeptBytes } from './step-types.js';

function keptClass(cls: TensorClass): TensorClass {
  return cls === 'input' ? 'activation' : cls;
}

export function measureKept(ctx: ExecContext): KeptBytes {
  const out = emptyKeptBytes();
  for (const id of keptTensors(ctx.graph)) {
    const value = ctx.env.get(id);
    if (value === undefined) continue;
    const info = ctx.graph.tensors[id]!;
    // Sign bits count at 32 per word wherever they are (on a device they travel 16 to a float).
    const bits = info.dtype === 'bit' ? 4 * Math.ceil(elementCount(info.shape) / 32) : undefined;
    const bytes = value instanceof Uint32Array ? value.byteLength : (bits ?? value.length * keptFloatBytes);
    out[keptClass(info.cls)] += bytes;
  }
  return out;
}
