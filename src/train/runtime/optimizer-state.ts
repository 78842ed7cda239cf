// The optimizer's configuration. The update itself is the step graph's OptimizerUpdate node
// (exec-update.ts, through the backend's sgd-update / adam-update kernels); its state lives in the
// Runtime so checkpoints can save and restore it exactly.
export type OptimizerKind = 'sgd' | 'adam';

export interface OptimizerConfig {
  kind: OptimizerKind;
  momentum: number;
  beta1: number;
  beta2: number;
  eps: number;
}
