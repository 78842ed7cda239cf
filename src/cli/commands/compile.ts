// `alrflow compile`: compiles a network, method and schedule onto a hardware model and prints the
// mapped summary (ops, stages, estimated cycles per stage, bytes per level and tensor class, kept
// bytes, noise-storage saving, feasibility) as a table or JSON. Exit 2 on bad options (every problem
// at once), 3 with the shortfall when the mapping does not fit.
import type { Command } from 'commander';
import { InfeasibleMappingError } from '../../errors.js';
import { methodsWith } from '../../compiler/methods/registry.js';
import { action } from '../action.js';
import { addJsonOptions, checkJsonFlags, jsonOrTable, type JsonFlags } from '../output.js';
import { addLockstepOption, addStepOptions, loadStep, printStepGraph, type StepFlags } from '../step-options.js';
import type { CompileSummary } from '../../compiler/summarize.js';
import type { CompiledStep } from '../../compiler/types.js';
import type { Network } from '../../models/layers.js';

interface Opts extends StepFlags, JsonFlags {
  layerwise?: boolean;
}

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(2)} MiB`;

function table(s: CompileSummary): string {
  const lines = [
    `compile ${s.model} method=${s.options.method} copies=${s.options.copies} batch=${s.options.batch} schedule=${s.options.schedule} micro-batches=${s.options.microBatches} staleness=${s.options.staleness} noise=${s.options.noiseStorage}${s.options.layerwise ? ' layerwise' : ''}${s.options.switches?.learnedSigma ? ' learned-sigma' : ''} on ${s.hw}`,
  ];
  lines.push(
    `ops: ${s.nodes} nodes, ${s.tasks} tasks; ${Object.entries(s.ops)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`,
  );
  lines.push(`stages: ${s.stageChoice}`);
  lines.push('stage  cores      est. cycles  layers');
  for (const st of s.stages)
    lines.push(
      `${String(st.index).padStart(5)}  ${st.cores.join(',').padEnd(9).slice(0, 9)}  ${String(st.estimatedCycles).padStart(11)}  ${st.layers.join(' ')}`,
    );
  const classes = [...new Set(Object.values(s.bytesByLevel).flatMap((c) => Object.keys(c)))].sort();
  lines.push(`level            ${classes.map((c) => c.padStart(16)).join('')}`);
  for (const [level, byClass] of Object.entries(s.bytesByLevel))
    lines.push(`${level.padEnd(17)}${classes.map((c) => mib(byClass[c] ?? 0).padStart(16)).join('')}`);
  lines.push(
    `kept until the loss: ${Object.entries(s.keptBytes)
      .map(([c, b]) => `${c} ${mib(b)}`)
      .join(', ')}`,
  );
  const saving = s.noiseStorageSaving;
  if (saving)
    lines.push(
      `noise storage: float ${mib(saving.floatNoiseBytes)} -> kept ${mib(saving.keptNoiseBytes)} (${saving.ratio === null ? 'nothing kept' : `${saving.ratio.toFixed(2)}x smaller`})`,
    );
  lines.push(
    s.feasibility.ok ? 'feasibility: ok' : `feasibility: INFEASIBLE\n  ${s.feasibility.shortfalls.join('\n  ')}`,
  );
  return `${lines.join('\n')}\n`;
}

/** The compile summary (table or JSON); exit 3 with the shortfall and checked hints when the mapping does not fit. */
async function report(network: Network, step: CompiledStep, opts: Opts): Promise<void> {
  const { summarize } = await import('../../compiler/summarize.js');
  const { checkedHints, hintText } = await import('../../compiler/infeasible-hints.js');
  const hints = step.feasibility.ok
    ? undefined
    : checkedHints(network, step.hw, step.options, step.feasibility.overBy ?? 1);
  const summary = { ...summarize(network, step), ...(hints ? { hints } : {}) };
  jsonOrTable(summary, opts, () => table(summary));
  if (hints)
    throw new InfeasibleMappingError(
      `infeasible mapping:\n${step.feasibility.shortfalls.join('\n')}\n${hintText(hints)}`,
    );
}

export function register(program: Command): void {
  const command = addLockstepOption(
    addStepOptions(
      program
        .command('compile')
        .description('compile a training step onto a hardware model and print the mapped summary'),
    ),
  ).option('--layerwise', `layer-wise noise injection (${methodsWith('layerwise').join(', ')})`);
  addJsonOptions(command, 'the compile summary').action(
    action(async (opts: Opts) => {
      checkJsonFlags(opts);
      const step = await loadStep(opts, { layerwise: opts.layerwise ?? false });
      const { compile } = await import('../../compiler/compile.js');
      const compiled = compile(step.network, step.hwModel, step.options);
      if (opts.printGraph) return printStepGraph(compiled.graph);
      await report(step.network, compiled, opts);
    }),
  );
}
