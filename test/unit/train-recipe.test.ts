// A shipped model's recipe as train's options (src/cli/train-recipe.ts): vit-tiny's per-method copies,
// batch and rate replace train's defaults only where the option is not given, the optimizer and rate
// only where --optimizer is not given, and train says on stderr what it took.
import { Command } from 'commander';
import { afterEach, expect, test, vi } from 'vitest';
import * as trainCommand from '../../src/cli/commands/train.js';
import { recipeUse } from '../../src/cli/train-recipe.js';
import { trainRecipe } from '../../src/compiler/methods/train-recipes.js';

afterEach(() => {
  vi.restoreAllMocks();
});

const ahybrid = trainRecipe('vit-tiny')!.methods!['a-hybrid']!;

test("vit-tiny's A-Hybrid recipe fills the options not given and names each in its line", () => {
  const use = recipeUse({ model: 'vit-tiny' }, 'a-hybrid', false);
  expect(use).toMatchObject({ optimizer: 'adam', copies: String(ahybrid.copies), batch: String(ahybrid.batch) });
  expect(use.lr).toBe(ahybrid.lr ?? trainRecipe('vit-tiny')!.lr);
  expect(use.line).toContain(
    `vit-tiny's recipe for --method a-hybrid: --optimizer adam --lr ${use.lr} --copies ${ahybrid.copies}`,
  );
  expect(use.line).toContain(`--batch ${ahybrid.batch} --bp-layers ${ahybrid.bpLayers}`);
  expect(use.bpLayers).toBe(ahybrid.bpLayers);
});

test("vit-tiny's ALR recipe carries its own rate, which --lr replaces", () => {
  const alr = trainRecipe('vit-tiny')!.methods!.alr!;
  expect(recipeUse({ model: 'vit-tiny' }, 'alr', false)).toMatchObject({ lr: alr.lr, copies: String(alr.copies) });
  expect(recipeUse({ model: 'vit-tiny', lr: '0.01' }, 'alr', false).lr).toBeUndefined();
});

test('options given on the command line win over the recipe, each on its own', () => {
  const use = recipeUse({ model: 'vit-tiny', copies: '4', lr: '0.01' }, 'a-hybrid', false);
  expect(use.copies).toBeUndefined();
  expect(use.lr).toBeUndefined();
  expect(use.batch).toBe(String(ahybrid.batch));
  expect(use.line).not.toContain('--copies');
  const withOptimizer = recipeUse({ model: 'vit-tiny', batch: '8' }, 'a-hybrid', true);
  expect(withOptimizer).toMatchObject({ copies: String(ahybrid.copies) });
  expect(withOptimizer.optimizer).toBeUndefined();
  expect(withOptimizer.lr).toBeUndefined();
  expect(withOptimizer.batch).toBeUndefined();
});

test('BP on vit-tiny takes only the optimizer and rate; a model without a recipe takes nothing', () => {
  expect(recipeUse({ model: 'vit-tiny' }, 'bp', false)).toEqual({
    optimizer: 'adam',
    lr: 1e-3,
    line: "vit-tiny's recipe for --method bp: --optimizer adam --lr 0.001 (options given on the command line win)",
  });
  expect(recipeUse({ model: 'mlp' }, 'a-hybrid', false)).toEqual({});
  expect(recipeUse({ model: 'vit-tiny' }, 'es', true)).toEqual({});
  expect(recipeUse({ model: 'vit-tiny' }, 'bp', true)).toEqual({});
});

/** `alrflow train ARGS` in-process: stdout and stderr. */
async function train(args: string[]): Promise<{ out: string; err: string }> {
  const program = new Command('alrflow').exitOverride();
  trainCommand.register(program);
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
  vi.spyOn(process, 'exit').mockImplementation((code) => {
    throw new Error(`exit ${String(code)}: ${err}`);
  });
  await program.parseAsync(['train', ...args], { from: 'user' });
  vi.restoreAllMocks();
  return { out, err };
}

test('train --model vit-tiny --method a-hybrid compiles the recipe step and says so; given options win', async () => {
  const base = ['--model', 'vit-tiny', '--dataset', 'mnist', '--method', 'a-hybrid', '--print-graph'];
  const recipe = await train(base);
  expect(recipe.out).toMatch(
    new RegExp(`^graph \\S+ method=a-hybrid copies=${ahybrid.copies} batch=${ahybrid.batch} `),
  );
  expect(recipe.err).toContain("vit-tiny's recipe for --method a-hybrid: --optimizer adam");
  // BP in the last block: its layers get no noise; the first block's do.
  expect(recipe.out).toContain('tensor block1.fc2.noisy ');
  expect(recipe.out).not.toContain('block2.fc2.noisy');
  // The BP LayerNorms' gradients keep their 128 values where N*K is 128 too (the copy fold took them for rows).
  for (const layer of ['block2.ln1', 'block2.ln2', 'ln']) expect(recipe.out).toContain(`tensor ${layer}.grad [128] `);
  const given = await train([...base, '--copies', '4', '--batch', '8', '--optimizer', 'sgd', '--bp-layers', 'head']);
  expect(given.out).toMatch(/^graph \S+ method=a-hybrid copies=4 batch=8 /);
  expect(given.out).toContain('tensor block2.fc2.noisy ');
  expect(given.err).not.toContain('recipe');
});
