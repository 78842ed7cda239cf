// Step options a shipped model recommends where the user gives none (--method, --batch): the defaults
// (ALR, K = 64, batch 64) fit the image models but not every model. Part of the method registry (a
// recommended method is a method name); plain data, no imports, so the CLI's help can list them
// without loading the models.
export interface RecommendedStep {
  method: string;
  batch: number;
  /** Why, in one line (printed by `alrflow models`). */
  why: string;
}

const recommended: Partial<Record<string, RecommendedStep>> = {
  'gpt2-small': {
    method: 'bp',
    batch: 4,
    why: 'the default ALR step fits no shipped hardware model: the head holds copies x batch x tokens x vocabulary activations',
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
