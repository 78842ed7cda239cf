// Golden printGraph snapshots of a small MLP's step graph under each method (after expand, fold
// and fuse). A change in the compiler's graph shows up as a reviewable text diff; update
// deliberately with `npx vitest run test/golden/print-graph.golden.test.ts -u`.
import { expect, test } from 'vitest';
import { stepGraph } from '../../src/compiler/compile.js';
import { resolveCompileOptions } from '../../src/compiler/compile-options.js';
import { methodNames as methods } from '../../src/compiler/methods/names.js';
import { printGraph } from '../../src/ir/print-graph.js';
import { verifyGraph } from '../../src/ir/verify-graph.js';
import { mlp } from '../../src/models/builders.js';

test.each(methods)('printGraph of mlp 6-4-3 under %s (N=2, K=3)', async (method) => {
  const graph = verifyGraph(
    stepGraph(mlp([6, 4, 3]), resolveCompileOptions({ method, copies: 3, batch: 2, schedule: 'sequential' })),
  );
  await expect(printGraph(graph)).toMatchFileSnapshot(`./print-graph/mlp-${method}.txt`);
});

test('printGraph is stable: the same graph prints the same text', () => {
  const options = resolveCompileOptions({ method: 'alr', copies: 3, batch: 2, schedule: 'sequential' });
  expect(printGraph(stepGraph(mlp([6, 4, 3]), options))).toBe(printGraph(stepGraph(mlp([6, 4, 3]), options)));
});
