// What one elementwise activation declares, once: its float64 forward and BP backward per element,
// the same forward on TF.js tensors, and its work per element. Everything else reads the entry:
// the layer schema and shapes (src/models), the IR's BiasAct and work counting (src/ir), the
// expanders, the estimators' oracle and every kernel backend. Not the list of ops (activations.ts).
import type * as TfCore from '@tensorflow/tfjs-core';

export interface ActivationOp {
  /**
   * y = f(x). Its source is also the gpu.js helper every gpu.js backend compiles (GLSL, WGSL, wasm),
   * so it uses arithmetic, comparisons, `? :`, Math functions and local constants only, on its own parameter.
   */
  forward: (x: number) => number;
  /** BP: dx = dy * f'(x) from the forward input x, per element; the same source rules as forward. */
  backward: (dy: number, x: number) => number;
  /** The forward on a TF.js tensor (the tfjs-wasm backend). */
  tfjs: (tf: typeof TfCore, x: TfCore.Tensor) => TfCore.Tensor;
  /** Vector operations per element of a BiasAct node with this activation, the bias add included (costing weights). */
  opsPerElement: number;
}
