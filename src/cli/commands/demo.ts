// `alrflow demo`: a short LR-vs-ALR gradient-quality demo on a small MLP (float64 reference backend):
// per-layer cosine to BP for several K, with and without layer-wise injection, and the measured
// noise bytes of LR (float32) vs ALR (sign bits). Table by default, --json for machines. A K whose
// estimate does not fit the memory available is refused with exit 3 before any work.
import type { Command } from 'commander';
import { action, positiveInt, strictInt } from '../action.js';
import { addJsonOptions, checkJsonFlags, type JsonFlags, jsonOrTable } from '../output.js';

type CosineTable = ReturnType<typeof import('../../estimators/cosine-table.js').cosineTable>;

function markdown(table: CosineTable): string {
  const layers = Object.keys(table.rows[0]?.cosine ?? {});
  const out = [`cosine to BP, ${table.network}, batch ${table.batch}, sigma ${table.sigma}, baseline mean\n`];
  out.push(`| variant | injection | K | ${layers.join(' | ')} |\n|---|---|---|${layers.map(() => '---|').join('')}\n`);
  for (const r of table.rows)
    out.push(
      `| ${r.variant} | ${r.layerwise ? 'layer-wise' : 'all layers'} | ${r.copies} | ${layers.map((l) => r.cosine[l]!.toFixed(3)).join(' | ')} |\n`,
    );
  out.push(
    `\nnoise bytes kept per layer (K = 64)\n| layer | LR float32 | ALR sign bits | ratio |\n|---|---|---|---|\n`,
  );
  for (const n of table.noiseBytes)
    out.push(`| ${n.layer} | ${n.lrFloat32} | ${n.alrSignBits} | ${n.ratio.toFixed(3)} |\n`);
  return out.join('');
}

/** Refuses (exit 3) a table whose largest estimate does not fit 80% of the memory available. */
async function guardDemoMemory(bytes: number): Promise<void> {
  const { availableMemoryBytes, defaultMemoryShare } = await import('../../train/memory-guard.js');
  const { formatBytes } = await import('../../hw/units.js');
  const { ResourceLimitError } = await import('../../errors.js');
  const available = availableMemoryBytes();
  const limit = Math.floor(defaultMemoryShare * available);
  if (bytes <= limit) return;
  throw new ResourceLimitError(
    `demo: --copies needs ${formatBytes(bytes)} (${bytes} bytes) for its largest K but ${100 * defaultMemoryShare}% of the ${formatBytes(available)} available is ${formatBytes(limit)}; nothing was run. Hint: lower --copies`,
  );
}

export function register(program: Command): void {
  const command = program
    .command('demo')
    .description('LR vs ALR gradient cosine to BP on a small MLP, and the noise bytes each keeps')
    .option('--copies <list>', 'comma-separated copy counts K', '10,100,1000')
    .option('--seed <n>', 'noise seed', '3');
  addJsonOptions(command, 'the cosine table').action(
    action(async (opts: JsonFlags & { copies: string; seed: string }) => {
      checkJsonFlags(opts);
      const copies = opts.copies.split(',').map((c) => positiveInt('--copies', c.trim()));
      const { cosineTable, cosineTableBytes } = await import('../../estimators/cosine-table.js');
      await guardDemoMemory(cosineTableBytes({ copies }));
      const table = cosineTable({ copies, seed: strictInt('--seed', opts.seed, 0) });
      jsonOrTable(table, opts, () => markdown(table));
    }),
  );
}
