// Step options a shipped model recommends where the user gives none (--method, --batch): the defaults
// (ALR, K = 64, batch 64) fit the image models but not every model. Plain data, no imports, so the
// CLI's help can list them without loading the models.
export interface RecommendedStep {
  method: string;
  batch: number;
  /** Why, in one line (printed by `alrflow models`). */
  why: string;
}

const recommended: Partial<Record<string, RecommendedStep>> = {
  // ALR K=64 on batch 64 puts 4096 sequences of 1024 tokens through the 50,257-way head: 398.8 GiB of
  // activations on gpu-like, infeasible on every shipped model. BP on 4 sequences fits and simulates in seconds.
  'gpt2-small': {
    method: 'bp',
    batch: 4,
    why: 'ALR K=64 on 64 sequences of 1024 tokens needs 398.8 GiB for the head alone',
  },
};

/** The step defaults a shipped model recommends (none for other models and for files). */
export function recommendedStep(model: string | undefined): RecommendedStep | undefined {
  return model === undefined ? undefined : recommended[model];
}

/** "gpt2-small 4": the recommended batches, for --batch's help. */
export function recommendedBatches(): string {
  return Object.entries(recommended)
    .map(([model, step]) => `${model} ${step!.batch}`)
    .join(', ');
}

/** "gpt2-small bp": the recommended methods, for --method's help. */
export function recommendedMethods(): string {
  return Object.entries(recommended)
    .map(([model, step]) => `${model} ${step!.method}`)
    .join(', ');
}
