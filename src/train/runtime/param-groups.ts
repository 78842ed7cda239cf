// The parameter sets a forward node reads: one buffer ([P]: weights then biases) or, under ES, K
// perturbed copies ([K, P]) with the rows split copy-major among them (rows k*N .. k*N+N-1). An
// input that every copy shares (copy-invariant, one copy's rows) is read whole by each copy. Dense,
// conv, batchnorm and the token layers (LayerNorm, class token, position table) slice the same way.
import type { NumArray } from '../../../kernels/names.js';
import type { ParamDecl } from '../../ir/types.js';
import { num, shapeOf, type ExecContext } from './exec-context.js';

export interface GroupParams {
  weights: NumArray;
  biases: NumArray;
}

/** The parameter sets a forward node reads: one, or K perturbed copies under ES. */
export function groupParams(ctx: ExecContext, id: string, layer: ParamDecl): GroupParams[] {
  const data = num(ctx, id);
  const shape = shapeOf(ctx, id);
  const groups = shape.length === 2 ? shape[0]! : 1;
  const width = data.length / groups;
  const { weights } = layer;
  return Array.from({ length: groups }, (_, g) => ({
    weights: data.subarray(g * width, g * width + weights),
    biases: data.subarray(g * width + weights, (g + 1) * width),
  }));
}

/**
 * Group g's part of an input whose groups hold `perGroup` values each: the whole input when every group
 * shares it (it holds one group's values), else its g-th slice.
 */
export function groupSlice(x: NumArray, perGroup: number, g: number): NumArray {
  if (x.length === perGroup) return x;
  return x.subarray(g * perGroup, (g + 1) * perGroup);
}

/** The groups' results side by side (copy-major): run(g) gives group g's outLength / groups values. */
export async function perGroup(
  groups: number,
  outLength: number,
  run: (g: number) => Promise<NumArray>,
): Promise<NumArray> {
  if (groups === 1) return run(0);
  const out = new Float64Array(outLength);
  for (let g = 0; g < groups; g++) out.set(await run(g), (g * outLength) / groups);
  return out;
}
