// Bytes a tensor occupies: float elements at the graph's float width, sign bits packed 32 to a
// Uint32 word (the layout the runtime and the estimators use). Not an allocator: no alignment.
import { elementCount } from './graph.js';
import type { TensorInfo } from './types.js';

export function tensorBytes(tensor: TensorInfo, floatBytes: number): number {
  const elements = elementCount(tensor.shape);
  switch (tensor.dtype) {
    case 'bit':
      return Math.ceil(elements / 32) * 4;
    case 'f32':
    case 'f16':
      return elements * floatBytes;
    default:
      return tensor.dtype satisfies never;
  }
}
