// The IR's data types: tensors and node kinds of a training-step graph. This file is the contract
// between the compiler (which builds graphs), the simulator (which costs them on a hardware model)
// and the runtime (which executes them on kernels). It imports nothing of ours but the op table's
// names (kernels/ops, which imports nothing of ours either).
import type { BiasActivation } from '../../kernels/ops/activations.js';

/** A layer's [tokens, features] output: the tokens that reach the loss (src/models/token-reach.ts), increasing. */
export interface LiveTokensAttribute {
  tokens: number;
  features: number;
  live: number[];
}

export type DType = 'f32' | 'f16' | 'bit';

/** The per-sample baseline subtracted from each copy's loss (METHOD.md 2.3). */
export type Baseline = 'none' | 'mean' | 'leave-one-out';
/** Loss rows: sample-major n*K + k (LR/ALR: copies folded into the batch), copy-major k*N + n (ES/AES: grouped forward). */
export type RowLayout = 'sample-major' | 'copy-major';

export const tensorClasses = [
  'input',
  'weight',
  'activation',
  'noise',
  'sign-bits',
  'loss',
  'gradient',
  'optimizer-state',
] as const;

export type TensorClass = (typeof tensorClasses)[number];

export interface TensorInfo {
  id: string;
  /** Row-major logical shape; for 'bit' tensors the shape counts signs, not words. */
  shape: number[];
  dtype: DType;
  cls: TensorClass;
  /** The network layer the tensor belongs to, when it belongs to one. */
  layer?: string;
}

/** Which part of the step a node belongs to (used by schedules and the Gantt colouring). */
export type Phase = 'forward' | 'loss' | 'backward' | 'gradient' | 'update' | 'communication';

interface NodeBase {
  id: string;
  inputs: string[];
  outputs: string[];
  phase: Phase;
  layer?: string;
  /**
   * Runs once per training step, not once per micro-batch or row shard (weight-space work such as
   * ES weight noise, the ES gradient product and optimizer updates). Absent means false.
   */
  perStep?: boolean;
  /**
   * K, the copies the node's rows or weight sets hold (LR/ALR: noise copies per sample; ES/AES: perturbed
   * weight copies), on every node whose execution reads it (noise, loss, copy sums, weight-space
   * products): K's one name on the nodes. Absent: 1.
   */
  copies?: number;
}

/**
 * Node kinds. Work is stated in the node so costing needs no tensor look-ups:
 * GEMM-like nodes carry (m, n, k, groups) meaning `groups` independent (m x k)·(k x n) products;
 * elementwise nodes carry `elements`.
 */
export type IrNode =
  /** A layer's product with its weights, or (attention) per group op(A) op(B), `transpose` naming the operand stored transposed. */
  | (NodeBase & { kind: 'MatMul'; m: number; n: number; k: number; groups: number; transpose?: 'a' | 'b' })
  | (NodeBase & {
      kind: 'Conv2d';
      batch: number;
      inChannels: number;
      outChannels: number;
      inHeight: number;
      inWidth: number;
      outHeight: number;
      outWidth: number;
      kernelSize: number;
      stride: number;
      padding: number;
      /** Independent weight sets (ES copies); `batch` rows split evenly among them. Absent means 1. */
      groups?: number;
    })
  /** A bias add (act 'none'), an activation of the op table, or both fused; backward: dx from dy and the kept input. */
  | (NodeBase & { kind: 'BiasAct'; act: BiasActivation; elements: number })
  /**
   * Forward: normalise with the statistics it reads (inputs x, params, stats: the clean pass's) or with
   * its batch's own, which it writes (outputs z, stats). Backward: dx from dy, the kept input, the
   * parameters and the forward's statistics (inputs dy, x, params, stats). Statistics are [2, channels]:
   * per-channel means, then variances.
   */
  | (NodeBase & { kind: 'BatchNorm'; elements: number; channels: number })
  /**
   * size x size windows every `stride` positions, `padding` on every side: for max padded positions never
   * win; for avg they are zeros, divided by size^2 when countIncludePad, else by the in-bounds positions.
   */
  | (NodeBase & {
      kind: 'Pool';
      op: 'max' | 'avg';
      elements: number;
      size: number;
      stride: number;
      padding?: number;
      countIncludePad?: boolean;
    })
  | (NodeBase & { kind: 'Add'; elements: number })
  /** Per row of `features` values: normalise, then the layer's scale and shift (backward: dx from dy, the kept input and the scale). */
  | (NodeBase & { kind: 'LayerNorm'; elements: number; features: number })
  /**
   * Row softmax over `width` values after scaling by `scale` (attention scores), masked to the row's
   * own and earlier positions when causal (row r of a [width, width] block keeps columns 0..r mod width).
   * Backward: dx from dy and the kept probabilities.
   */
  | (NodeBase & { kind: 'Softmax'; elements: number; width: number; scale: number; causal: boolean })
  /** A token-sequence rearrangement or reduction (TOKEN_OPS); `elements` counts its largest operand. */
  | (NodeBase & {
      kind: 'TokenOp';
      op: TokenOpName;
      elements: number;
      tokens: number;
      features: number;
      heads?: number;
    })
  /** Inputs: the clean values (none when regenerating the noise), then the layer's sigma where it is learned. */
  | (NodeBase & {
      kind: 'NoiseInject';
      elements: number;
      storage: 'float' | 'sign-bits' | 'regenerate';
      /** Rows (2j, 2j+1) draw (eps, -eps). Absent means false. */
      antithetic?: boolean;
      /** Noise rows: sample-major for activation noise, copy-major (the K weight copies) for ES/AES. Absent: sample-major. */
      rowLayout?: RowLayout;
      /** Each row's noise covers channels x positions (a conv or batchnorm output), not one value per unit. Absent: false. */
      spatial?: boolean;
    })
  | (NodeBase & { kind: 'SignPack'; elements: number })
  | (NodeBase & {
      kind: 'Loss';
      rows: number;
      classes: number;
      /** Labels per row (a language model's tokens): the row's loss sums its tokens' losses. Absent: 1. */
      tokens?: number;
      /** gradient (BP: the loss and d loss / d logits), loss (baselined per-row loss), loss-signs. Absent: gradient. */
      emits?: 'gradient' | 'loss' | 'loss-signs';
      /** The per-sample baseline over its copies (not for BP). */
      baseline?: Baseline;
      rowLayout?: RowLayout;
    })
  | (NodeBase & { kind: 'LossBroadcast'; rows: number; targets: number })
  /** Weight-gradient product dW = D^T X over `k` rows: D is m x k transposed, X is k x n. */
  | (NodeBase & {
      kind: 'GradProduct';
      m: number;
      n: number;
      k: number;
      groups: number;
      signs: boolean;
      /** activation: dW = D^T X; weight (ES/AES): g = losses^T noise / sigma. Absent: activation. */
      space?: 'activation' | 'weight';
      /** Factor on the noise reading (sqrt(pi/2) for signs read as noise). Absent: 1. */
      noiseScale?: number;
      /** The product is divided by this (N*K for the noisy methods). Absent: 1. */
      normaliser?: number;
      /** A batchnorm layer's product: its last input is the statistics the layer normalised with (x-hat). Absent: false. */
      batchStats?: boolean;
      /** A micro-batched step's M instances of the product sum into one gradient (src/ir/step-instances.ts). Absent: 1. */
      accumulate?: number;
      /** LR/ALR: the error signal formed here is zero on the output tokens that cannot reach the loss. Absent: none dropped. */
      liveTokens?: LiveTokensAttribute;
    })
  /** Sums of `factor` consecutive rows; with a noise input (the LR fold) of the error signals, scaled by noiseScale. */
  | (NodeBase & {
      kind: 'Reduce';
      elements: number;
      factor: number;
      noiseScale?: number;
      /** The error signals summed here are zero on the tokens that cannot reach the loss. Absent: none dropped. */
      liveTokens?: LiveTokensAttribute;
    })
  | (NodeBase & { kind: 'AllReduce'; elements: number; participants: number })
  /**
   * d F / d sigma_c = sum over rows and positions of L~ (eps^2 - 1) / sigma_c, divided by the
   * normaliser (N*K), from the layer's float noise, its pass's baselined loss and its learned sigma.
   */
  | (NodeBase & {
      kind: 'SigmaGrad';
      elements: number;
      channels: number;
      normaliser: number;
      /** As GradProduct's: the M micro-batch instances sum into one gradient. Absent: 1. */
      accumulate?: number;
    })
  /**
   * One optimizer step on a layer's parameters, or on its learned sigma (then floored at the run's sigma floor).
   * Inputs: the values, the gradient it applies, then the optimizer state where there is one. `stale`
   * (staleness 1): the gradient it applies is the stale buffer (the previous step's gradient), the last
   * input is this step's gradient, and the last output is the buffer's next value (this step's gradient).
   */
  | (NodeBase & {
      kind: 'OptimizerUpdate';
      elements: number;
      optimizer: 'sgd' | 'adam';
      target?: 'params' | 'sigma';
      stale?: boolean;
    })
  | (NodeBase & { kind: 'Transfer'; bytes: number; fromCore: number; toCore: number });

export type IrNodeKind = IrNode['kind'];

/**
 * Token-sequence ops, each on rows of [tokens, features]: `tokens` [features(channels), tokens] to
 * [tokens, features]; `split-heads` [tokens, 3 * features] (Q | K | V) to Q, K, V each [heads, tokens,
 * features / heads]; `merge-heads` back to [tokens, features]; `class-token` prepends the layer's token
 * (tokens counts the output); `position` adds the layer's table; `class-pool` keeps token 0;
 * `mean-pool` averages the tokens (tokens counts the input).
 */
export const TOKEN_OPS = [
  'tokens',
  'split-heads',
  'merge-heads',
  'class-token',
  'position',
  'class-pool',
  'mean-pool',
] as const;
export type TokenOpName = (typeof TOKEN_OPS)[number];

export interface GraphMeta {
  network: string;
  /** The gradient method's registry name (src/compiler/methods); nodes carry what it means. */
  method: string;
  copies: number;
  batch: number;
  /** Bytes of one float element (4 for f32, 2 for f16). */
  floatBytes: number;
  noiseStorage: 'float' | 'sign-bits' | 'regenerate';
  layerwise: boolean;
  /** A mapped step's layout (compile() writes it): the step's micro-batches and staleness; absent before mapping. */
  microBatches?: number;
  staleness?: 0 | 1;
}

/** A parametrised layer's operation and geometry, as its nodes execute it. */
export type ParamOp =
  | { kind: 'linear'; inFeatures: number; outFeatures: number }
  | { kind: 'conv2d'; inChannels: number; outChannels: number; kernelSize: number; stride: number; padding: number }
  | { kind: 'batchnorm'; channels: number }
  /** epsilon: under LayerNorm's square root (the layer's own, 1e-5 where the network gives none). */
  | { kind: 'layernorm'; features: number; epsilon: number }
  | { kind: 'class-token'; features: number }
  | { kind: 'position-embedding'; tokens: number; features: number };

/**
 * A parametrised layer's declaration: everything the runtime needs beyond the nodes, so that it reads
 * nothing but the graph. Nodes name it by `layer`.
 */
export interface ParamDecl {
  layer: string;
  op: ParamOp;
  /** The parameter tensor: `weights` values, then `biases`. */
  tensor: string;
  weights: number;
  biases: number;
  /** Output units (linear) or channels (conv, batchnorm): the length of the layer's sigma vector. */
  channels: number;
  /** The noise counter's layer word (the layer's index among the network's parametrised layers). */
  stream: number;
  /** Initial values: uniform in +-1/sqrt(fanIn) (weights, then biases), or constants (batchnorm and layernorm gamma and beta). */
  init: { kind: 'uniform'; fanIn: number } | { kind: 'constant'; weights: number; biases: number };
}

/** What a port carries: the batch and labels, a layer's parameters or learned sigma, their optimizer state, gradients. */
export type PortRole =
  | 'batch'
  | 'labels'
  | 'params'
  | 'sigma'
  | 'optimizer-state'
  | 'sigma-optimizer-state'
  | 'gradient'
  | 'sigma-gradient'
  /** Staleness 1: the gradient (of the parameters, of learned sigma) the previous step left for this one to apply. */
  | 'stale-gradient'
  | 'stale-sigma-gradient';

/** A tensor the step exchanges with its caller: set before the step runs (inputs) or read after it (outputs). */
export interface GraphPort {
  tensor: string;
  role: PortRole;
  /** The layer whose parameters, sigma, state or gradient it is. */
  layer?: string;
}

export interface Graph {
  meta: GraphMeta;
  /** What the caller sets before a step: the batch, the labels, parameters, learned sigma, optimizer state. */
  inputs: GraphPort[];
  /** What the caller reads after a step: gradients, updated parameters, sigma and optimizer state. */
  outputs: GraphPort[];
  /** The parametrised layers, in the network's order (which is also the order parameters are initialised in). */
  params: ParamDecl[];
  tensors: Record<string, TensorInfo>;
  /** Nodes in a topological order. */
  nodes: IrNode[];
}

/** Compute nodes grouped by what they cost (src/ir/op-class.ts maps a node to its class). */
export const OP_CLASSES = [
  'MatMul',
  'Conv2d',
  'BiasAct',
  'BatchNorm',
  'Pool',
  'Add',
  'LayerNorm',
  'Softmax',
  'TokenOp',
  'MatMul.backward',
  'Conv2d.backward',
  'BiasAct.backward',
  'BatchNorm.backward',
  'Pool.backward',
  'Add.backward',
  'LayerNorm.backward',
  'Softmax.backward',
  'TokenOp.backward',
  'NoiseInject.float',
  'NoiseInject.sign-bits',
  'NoiseInject.regenerate',
  'NoiseInject.float.spatial',
  'NoiseInject.sign-bits.spatial',
  'NoiseInject.regenerate.spatial',
  'SignPack',
  'Loss',
  'LossBroadcast',
  'GradProduct',
  'GradProduct.signal',
  'GradProduct.weight',
  'Reduce',
  'Reduce.signal',
  'SigmaGrad',
  'OptimizerUpdate.sgd',
  'OptimizerUpdate.adam',
] as const;

export type OpClass = (typeof OP_CLASSES)[number];

/**
 * What a node asks of the hardware, independent of any mapping; `op` names its op class, which a
 * hardware model may cost on its own (cores.opCosts).
 */
export type Work =
  | { kind: 'gemm'; m: number; n: number; k: number; groups: number; op?: OpClass }
  | { kind: 'vector'; elements: number; opsPerElement: number; op?: OpClass }
  | {
      kind: 'transfer';
      bytes: number;
      /** Hop latencies on its critical path (collectives: steps x hops per step). Absent: 1. */ hops?: number;
    }
  | { kind: 'none' };
