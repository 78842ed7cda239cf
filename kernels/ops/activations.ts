// The op table's activations: one entry per elementwise activation, by the name network files use
// (`{"kind": "silu"}`). Adding an activation is one file beside this one and one line here.
import type { ActivationOp } from './activation-op.js';
import { gelu } from './gelu.js';
import { relu } from './relu.js';
import { silu } from './silu.js';
import { tanh } from './tanh.js';

export type { ActivationOp };

export const ACTIVATION_OPS = { relu, tanh, silu, gelu } as const satisfies Record<string, ActivationOp>;

export type ActivationName = keyof typeof ACTIVATION_OPS;
export const ACTIVATION_NAMES = Object.keys(ACTIVATION_OPS) as ActivationName[];

/** The kernels every activation runs through (the entry's functions inside them): forward, then BP's backward. */
export const ACTIVATION_KERNELS = ['bias-activation', 'activation-backward'] as const;

/** What a BiasAct node applies after its bias add: nothing, or an activation of the table. */
export type BiasActivation = 'none' | ActivationName;
export const BIAS_ACTIVATIONS: readonly BiasActivation[] = ['none', ...ACTIVATION_NAMES];

export function isActivationName(kind: string): kind is ActivationName {
  return Object.hasOwn(ACTIVATION_OPS, kind);
}

/** The entry of a named activation. */
export function activationOp(name: ActivationName): ActivationOp {
  return ACTIVATION_OPS[name];
}
