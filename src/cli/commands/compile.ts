// `alrflow compile`: compiles a network, method and schedule onto a hardware model and prints the
// mapped summary (ops, stages, estimated cycles per stage, bytes per level and tensor class, kept
// bytes, noise-storage saving, feasibility) as a table or JSON. Exit 2 on bad options (every problem
// at once), 3 with the shortfall when the mapping does not fit.
import type { Command } from 'commander';
import { ConfigError, InfeasibleMappingError } from '../../errors.js';
import { action, nameList, oneOf, positiveInt } from '../action.js';
import { methodHelp, methodsWith } from '../../compiler/methods/registry.js';
import { scheduleHelp } from '../../compiler/schedules/registry.js';
import { addJsonOptions, checkJsonFlags, jsonOrTable } from '../output.js';
import type { CompileSummary } from '../../compiler/summarize.js';
import type { Network } from '../../models/layers.js';

interface Opts {
  model: string;
  method: string;
  copies: string;
  batch: string;
  schedule: string;
  hw: string;
  microBatches?: string;
  staleness?: string;
  noiseStorage?: string;
  layerwise?: boolean;
  learnSigma?: boolean;
  stages?: string;
  stageCuts?: string;
  json?: boolean;
  jsonFile?: string;
  force?: boolean;
}

/** Runs every check, collecting all problems before failing. */
function collect<T>(problems: string[], check: () => T): T | undefined {
  try {
    return check();
  } catch (err) {
    if (err instanceof ConfigError) problems.push(...err.problems);
    else throw err;
    return undefined;
  }
}

async function loadNetwork(model: string): Promise<Network> {
  const { loadNetwork: load } = await import('../../models/load-network.js');
  return load(model);
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

export function register(program: Command): void {
  const command = program
    .command('compile')
    .description('compile a training step onto a hardware model and print the mapped summary')
    .requiredOption('--model <name|file>', 'shipped model name, network .json file or SCALE-Sim topology .csv')
    .requiredOption('--method <m>', methodHelp())
    .option('--copies <K>', 'noise copies per sample', '64')
    .option('--batch <N>', 'samples per step', '32')
    .requiredOption('--schedule <s>', scheduleHelp())
    .requiredOption('--hw <name|path>', 'shipped hardware model name or JSON file')
    .option('--micro-batches <M>', 'micro-batches (pipelined schedules)')
    .option('--staleness <s>', '0 or 1 (layer-pipelined)')
    .option('--noise-storage <s>', 'float, sign-bits or regenerate')
    .option('--layerwise', `layer-wise noise injection (${methodsWith('layerwise').join(', ')})`)
    .option(
      '--learn-sigma',
      `learned sigma (${methodsWith('learnedSigma').join(', ')}): each layer's sigma gradient and update join the step`,
    )
    .option('--stages <N>', 'pipelined schedules: number of stages (default: chosen by estimated cost)')
    .option('--stage-cuts <layers>', 'pipelined schedules: comma-separated layers that begin stages 2, 3, ...');
  addJsonOptions(command, 'the compile summary').action(
    action(async (opts: Opts) => {
      checkJsonFlags(opts);
      const { methodNames: methods } = await import('../../compiler/methods/registry.js');
      const { scheduleKinds } = await import('../../compiler/types.js');
      const problems: string[] = [];
      const method = collect(problems, () => oneOf('--method', opts.method, methods));
      const schedule = collect(problems, () => oneOf('--schedule', opts.schedule, scheduleKinds));
      const copies = collect(problems, () => positiveInt('--copies', opts.copies));
      const batch = collect(problems, () => positiveInt('--batch', opts.batch));
      const microBatches =
        opts.microBatches === undefined
          ? undefined
          : collect(problems, () => positiveInt('--micro-batches', opts.microBatches!));
      const staleness =
        opts.staleness === undefined
          ? undefined
          : collect(problems, () => Number(oneOf('--staleness', opts.staleness!, ['0', '1'] as const)) as 0 | 1);
      const noiseStorage =
        opts.noiseStorage === undefined
          ? undefined
          : collect(problems, () =>
              oneOf('--noise-storage', opts.noiseStorage!, ['float', 'sign-bits', 'regenerate'] as const),
            );
      const stages =
        opts.stages === undefined ? undefined : collect(problems, () => positiveInt('--stages', opts.stages!));
      const stageCuts = opts.stageCuts === undefined ? undefined : nameList(opts.stageCuts);
      const network = await collect(problems, () => loadNetwork(opts.model))?.catch((err: unknown) => {
        if (err instanceof ConfigError) problems.push(...err.problems);
        else throw err;
        return undefined;
      });
      const { loadHwModel } = await import('../../hw/load.js');
      const hw = collect(problems, () => loadHwModel(opts.hw));
      if (problems.length > 0 || !method || !schedule || !copies || !batch || !network || !hw)
        throw new ConfigError(problems);
      const { compile } = await import('../../compiler/compile.js');
      const { learnedSigmaSwitches } = await import('../../ir/method-rules.js');
      const { summarize } = await import('../../compiler/summarize.js');
      const { checkedHints, hintText } = await import('../../compiler/infeasible-hints.js');
      const step = compile(network, hw, {
        method,
        schedule,
        copies,
        batch,
        microBatches,
        staleness,
        noiseStorage,
        layerwise: opts.layerwise ?? false,
        stages,
        stageCuts,
        ...learnedSigmaSwitches(opts.learnSigma ?? false),
      });
      const hints = step.feasibility.ok
        ? undefined
        : checkedHints(network, hw, step.options, step.feasibility.overBy ?? 1);
      const summary = { ...summarize(network, step), ...(hints ? { hints } : {}) };
      jsonOrTable(summary, opts, () => table(summary));
      if (hints)
        throw new InfeasibleMappingError(
          `infeasible mapping:\n${step.feasibility.shortfalls.join('\n')}\n${hintText(hints)}`,
        );
    }),
  );
}
