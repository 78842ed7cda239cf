// The training recipes of shipped models: an optimizer and rate where train's defaults do not suit a
// model, and per method the copies, batch, rate and BP layers (method names: part of the method
// registry). Plain data, read by train's option resolution (src/cli/train-recipe.ts).
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
      lr: { copies: 8, batch: 16, lr: 3e-3 },
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
