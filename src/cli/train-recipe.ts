// A shipped model's recipe (src/models/registry.ts) as train's options: its optimizer and rate where
// --optimizer is not given, and for the run's method the copies, batch and rate where those options
// are not given. Options on the command line always win; the line train prints names what was taken.
import { trainRecipe, type MethodRecipe } from '../compiler/methods/train-recipes.js';

export interface RecipeFlags {
  model?: string;
  copies?: string;
  batch?: string;
  lr?: string;
  bpLayers?: string;
}

/** What the recipe sets (absent: train's own default or the user's option), and the line saying so. */
export interface RecipeUse {
  optimizer?: 'sgd' | 'adam';
  lr?: number;
  copies?: string;
  batch?: string;
  bpLayers?: string;
  line?: string;
}

export function recipeUse(flags: RecipeFlags, method: string, optimizerGiven: boolean): RecipeUse {
  const recipe = flags.model === undefined ? undefined : trainRecipe(flags.model);
  if (!recipe) return {};
  const forMethod = recipe.methods?.[method] ?? {};
  const use: RecipeUse = {};
  const taken: string[] = [];
  if (!optimizerGiven) {
    use.optimizer = recipe.optimizer;
    taken.push(`--optimizer ${recipe.optimizer}`);
    if (flags.lr === undefined) {
      use.lr = forMethod.lr ?? recipe.lr;
      taken.push(`--lr ${use.lr}`);
    }
  }
  const optionsTaken = takeMethodOptions(flags, forMethod, use, taken);
  const methodTaken = optionsTaken || (forMethod.lr !== undefined && use.lr !== undefined);
  if (taken.length === 0) return use;
  const why = methodTaken && recipe.why ? `; ${recipe.why}` : '';
  use.line = `${flags.model}'s recipe for --method ${method}: ${taken.join(' ')} (options given on the command line win${why})`;
  return use;
}

/** The method's copies, batch and BP layers where their options are not given; whether any was taken. */
function takeMethodOptions(flags: RecipeFlags, forMethod: MethodRecipe, use: RecipeUse, taken: string[]): boolean {
  const before = taken.length;
  for (const [key, option] of [
    ['copies', '--copies'],
    ['batch', '--batch'],
    ['bpLayers', '--bp-layers'],
  ] as const) {
    const value = forMethod[key];
    if (flags[key] !== undefined || value === undefined) continue;
    use[key] = String(value);
    taken.push(`${option} ${use[key]}`);
  }
  return taken.length > before;
}
