// `alrflow demo`: a short LR-vs-ALR gradient-quality demo on a small MLP (float64 reference backend):
// per-layer cosine to BP for several K, with and without layer-wise injection, and the measured
// noise bytes of LR (float32) vs ALR (sign bits). Table by default, --json for machines.
import type { Command } from 'commander';
import { action, positiveInt, strictInt } from '../action.js';
import { addJsonOptions, checkJsonFlags, type JsonFlags, jsonOrTable } from '../output.js';

type CosineTable = ReturnType<typeof import('../../estimators/cosine-table.js').cosineTable>;

function markdown(table: CosineTable): string {
  const layers = Object.keys(table.rows[0]?.cosine ?? {});
  const out = [`cosine to BP, ${table.network}, batch ${table.batch}, sigma ${table.sigma}, baseline mean\n`];
  out.push(`| variant | injection | K | ${layers.join(' | ')} |\n|---|---|---|${layers.map(() => '---|').join('')}\n`);
  for (const r of table.rows) out.push(`| ${r.variant} | ${r.layerwise ? 'layer-wise' : 'all layers'} | ${r.copies} | ${layers.map((l) => r.cosine[l]!.toFixed(3)).join(' | ')} |\n`);
  out.push(`\nnoise bytes kept per layer (K = 64)\n| layer | LR float32 | ALR sign bits | ratio |\n|---|---|---|---|\n`);
  for (const n of table.noiseBytes) out.push(`| ${n.layer} | ${n.lrFloat32} | ${n.alrSignBits} | ${n.ratio.toFixed(3)} |\n`);
  return out.join('');
}

export function register(program: Command): void {
  const command = program
    .command('demo')
    .description('LR vs ALR gradient cosine to BP on a small MLP, and the noise bytes each keeps')
    .option('--copies <list>', 'comma-separated copy counts K', '10,100,1000')
    .option('--seed <n>', 'noise seed', '3');
  addJsonOptions(command, 'the cosine table')
    .action(
      action(async (opts: JsonFlags & { copies: string; seed: string }) => {
        checkJsonFlags(opts);
        const copies = opts.copies.split(',').map((c) => positiveInt('--copies', c.trim()));
        const { cosineTable } = await import('../../estimators/cosine-table.js');
        const table = cosineTable({ copies, seed: strictInt('--seed', opts.seed, 0) });
        jsonOrTable(table, opts, () => markdown(table));
      }),
    );
}
