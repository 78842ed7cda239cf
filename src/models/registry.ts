// Shipped networks by name, as the CLI's --model option names them.
import { ConfigError } from '../errors.js';
import { cnn, mlp, resnet5, resnet9, type ConvNetOptions } from './builders.js';
import type { Network } from './layers.js';
import { gpt2Small, vitTiny } from './transformer-builders.js';

export interface ModelOptions extends ConvNetOptions {
  /** Hidden widths of the MLP (input and class count come from inputShape and classes). */
  hidden?: number[];
}

const builders: Record<string, (o: ModelOptions) => Network> = {
  mlp: (o) => mlp([(o.inputShape ?? [784]).reduce((a, b) => a * b, 1), ...(o.hidden ?? [256]), o.classes ?? 10]),
  cnn,
  resnet5,
  resnet9,
  'vit-tiny': vitTiny,
  // A language model: its input and classes are its own (token embeddings, vocabulary), not a dataset's.
  'gpt2-small': () => gpt2Small(),
};

export const modelNames = Object.keys(builders);

/** The network files a --model option reads besides the shipped names, for its messages. */
export const modelFileKinds = 'a network .json file, an .onnx file or a SCALE-Sim topology .csv';

/**
 * A shipped model's recommended optimizer and learning rate, where train's defaults (SGD, lr 0.01) do
 * not suit it, and per method the copies, batch and rate that replace train's defaults where the
 * method's own would not train it.
 */
export interface TrainRecipe {
  optimizer: 'sgd' | 'adam';
  lr: number;
  methods?: Partial<Record<string, MethodRecipe>>;
  /** Why the per-method settings, in one line (printed by train when it uses them). */
  why?: string;
}

export interface MethodRecipe {
  copies?: number;
  batch?: number;
  lr?: number;
  /** Hybrids: the layers trained by backpropagation (--bp-layers). */
  bpLayers?: string;
}

const recipes: Record<string, TrainRecipe> = {
  // Attention and LayerNorm train slowly under plain SGD at 0.01 (one MNIST epoch of 2000 samples: loss 2.30 to 2.30).
  'vit-tiny': {
    optimizer: 'adam',
    lr: 1e-3,
    methods: {
      alr: { copies: 8, batch: 16, lr: 3e-3 },
      // BP in the last block, the final LayerNorm and the head (the hybrid METHOD.md 7.6 names), ALR before.
      'a-hybrid': { copies: 8, batch: 16, bpLayers: 'last:8' },
    },
    why: 'the estimate is noise-dominated on all but the layers that write the class token (README, vit-tiny): more, smaller steps',
  },
};

/** The model's own recipe, or undefined (network files and the other shipped models use train's defaults). */
export function trainRecipe(name: string): TrainRecipe | undefined {
  return recipes[name];
}

export function buildModel(name: string, options: ModelOptions = {}): Network {
  const build = builders[name];
  if (!build) {
    throw new ConfigError([`--model: unknown model "${name}"; allowed: ${modelNames.join(', ')}, ${modelFileKinds}`]);
  }
  return build(options);
}
