// Stage partitioning for pipelined schedules: cuts the network's layers, flattened (a residual
// block's body layers are units of their own, followed by the block's add), into contiguous
// pipeline stages and gives each stage a contiguous run of cores. For every stage count S up to the
// core count it takes the cut minimising the most expensive stage (exact, by dynamic programming
// over cut points), hands the spare cores one at a time to the stage with the highest cycles per
// core times the pipeline's fill factor (M + S - 1) / M, plus the layout's off-chip time (row
// tensors whose shards crowd the on-chip level; weights and partial gradients that do not fit it,
// once per micro-batch and core). The lowest score wins, the fewest tasks among equal scores. (A
// tolerance of 25% in favour of fewer tasks picked 3 stages for ResNet-9 ALR on multicore-16, which
// simulates 8% slower than the 2 stages the estimate ranks first.) Every core is used when there are
// more cores than stages. Nodes without a layer (loss, broadcast) join the last stage. Not a
// scheduler: it only says which stage, on which cores, runs which node.
import { ConfigError } from '../errors.js';
import type { HwModel } from '../hw/types.js';
import { tensorBytes } from '../ir/tensor-bytes.js';
import { workOf } from '../ir/work-of.js';
import type { Graph } from '../ir/types.js';
import { branchLayers, type Layer, type Network } from '../models/layers.js';
import { estimateCycles } from './cost-model.js';
import { offChipLevel, onChipLevel } from './tile.js';
import type { Stage } from './types.js';

export interface StagePartition {
  stages: Stage[];
  /** Stage index of every node id. */
  stageOfNode: Map<string, number>;
  /** How the stages were chosen, in words (with every candidate's score when chosen automatically). */
  choice: string;
}

/** A user's stage choice: a stage count (cut by the balancing rule) or the layers that start stages 2, 3, ... */
export interface StageControl {
  stages?: number;
  stageCuts?: string[];
}

/** Start index of every stage from explicit cuts (layer names that begin a new stage). */
function startsFromCuts(groups: string[], cuts: string[], cores: number): number[] {
  const problems: string[] = [];
  const starts = [0];
  for (const name of cuts) {
    const at = groups.indexOf(name);
    if (at < 0)
      problems.push(`--stage-cuts: found "${name}", allowed: layer names in forward order (${groups.join(', ')})`);
    else if (at <= starts.at(-1)!)
      problems.push(
        `--stage-cuts: "${name}" does not come after the previous cut, allowed: distinct layers in forward order, not the first (${groups[0]})`,
      );
    else starts.push(at);
  }
  if (starts.length > cores)
    problems.push(`--stage-cuts: ${starts.length} stages, allowed: at most the core count (${cores})`);
  if (problems.length > 0) throw new ConfigError(problems);
  return starts;
}

function checkStageCount(stages: number, groups: number, cores: number): void {
  const most = Math.min(groups, cores);
  if (!Number.isInteger(stages) || stages < 1 || stages > most)
    throw new ConfigError([
      `--stages: found ${stages}, allowed: 1 to ${most} (at most the ${groups} layers and the ${cores} cores)`,
    ]);
}

/** Flattened units in forward order: a residual's body and shortcut first, then the residual's own add. */
function units(layer: Layer): string[] {
  return layer.kind === 'residual' ? [...branchLayers(layer).flatMap(units), layer.name] : [layer.name];
}

/** best[p][i]: the least max group sum splitting the first i costs into p groups; cut[p][i]: the last group's start. */
function cutTables(costs: number[], parts: number): { best: number[][]; cut: number[][] } {
  const n = costs.length;
  const prefix = [0];
  for (const c of costs) prefix.push(prefix.at(-1)! + c);
  const best: number[][] = Array.from({ length: parts + 1 }, () => new Array<number>(n + 1).fill(Infinity));
  const cut: number[][] = Array.from({ length: parts + 1 }, () => new Array<number>(n + 1).fill(0));
  best[0]![0] = 0;
  for (let p = 1; p <= parts; p++) {
    for (let i = p; i <= n; i++) {
      for (let j = p - 1; j < i; j++) {
        const cost = Math.max(best[p - 1]![j]!, prefix[i]! - prefix[j]!);
        if (cost < best[p]![i]!) [best[p]![i], cut[p]![i]] = [cost, j];
      }
    }
  }
  return { best, cut };
}

function startsFor(cut: number[][], parts: number, n: number): number[] {
  const starts: number[] = [];
  for (let p = parts, i = n; p > 0; p--) {
    starts.unshift(cut[p]![i]!);
    i = cut[p]![i]!;
  }
  return starts;
}

/** Cores per stage: one each, then every spare core to the stage with the most cycles per core. */
function allocateCores(costs: number[], cores: number): number[] {
  const count = costs.map(() => 1);
  for (let spare = cores - costs.length; spare > 0; spare--) {
    let worst = 0;
    costs.forEach((c, s) => {
      if (c / count[s]! > costs[worst]! / count[worst]!) worst = s;
    });
    count[worst]!++;
  }
  return count;
}

interface Candidate {
  starts: number[];
  cores: number[];
  stageCycles: number[];
  score: number;
  /** Tasks per micro-batch: each node once per core of its stage. */
  shardTasks: number;
}

/** Per unit (flattened layer): its nodes' estimated cycles, weight bytes, row-carrying accesses and node count. */
interface UnitProfile {
  groups: string[];
  nodeGroup: number[];
  costs: number[];
  weightBytes: number[];
  rowAccesses: number[][];
  nodeCount: number[];
}

function profileUnits(graph: Graph, network: Network, hw: HwModel): UnitProfile {
  const groups = network.layers.map(units).flat();
  const groupOf = new Map(groups.map((name, g) => [name, g]));
  const last = groups.length - 1;
  const nodeGroup = graph.nodes.map((node) => (node.layer === undefined ? last : (groupOf.get(node.layer) ?? last)));
  const costs = new Array<number>(groups.length).fill(0);
  graph.nodes.forEach((node, i) => (costs[nodeGroup[i]!]! += estimateCycles(workOf(node, graph.meta.floatBytes), hw)));
  const weightBytes = new Array<number>(groups.length).fill(0);
  for (const t of Object.values(graph.tensors)) {
    if (t.cls === 'weight' && t.layer !== undefined && !t.id.endsWith('.next'))
      weightBytes[groupOf.get(t.layer) ?? last]! += tensorBytes(t, graph.meta.floatBytes);
  }
  // Bytes of every row-carrying access (activations, noise, gradients of activations), per unit.
  const rowAccesses: number[][] = groups.map(() => []);
  graph.nodes.forEach((node, i) => {
    for (const id of [...node.inputs, ...node.outputs]) {
      const t = graph.tensors[id];
      const rowCarrying =
        t &&
        t.cls !== 'weight' &&
        t.cls !== 'optimizer-state' &&
        !(t.cls === 'gradient' && node.kind === 'GradProduct');
      if (rowCarrying) rowAccesses[nodeGroup[i]!]!.push(tensorBytes(t, graph.meta.floatBytes));
    }
  });
  const nodeCount = new Array<number>(groups.length).fill(0);
  for (const g of nodeGroup) nodeCount[g]!++;
  return { groups, nodeGroup, costs, weightBytes, rowAccesses, nodeCount };
}

const sum = (xs: number[], from: number, to: number) => xs.slice(from, to).reduce((a, b) => a + b, 0);

/** Scores one stage layout: cycles of the slowest stage with the pipeline's fill, plus its off-chip time. */
function scoreLayout(profile: UnitProfile, hw: HwModel, starts: number[], coreCount: number, microBatches: number) {
  const { groups, costs, weightBytes, rowAccesses, nodeCount } = profile;
  const near = onChipLevel(hw)?.capacityBytes ?? Infinity;
  const farBytesPerCycle = offChipLevel(hw).bandwidthBytesPerCycle;
  /** Off-chip bytes of a stage: row tensors whose shard crowds the on-chip level; weights and partial gradients that do not fit, per micro-batch. */
  const offChipBytes = (from: number, to: number, shards: number): number => {
    const rows = rowAccesses
      .slice(from, to)
      .flat()
      .filter((b) => b / shards > near / 8)
      .reduce((a, b) => a + b, 0);
    const weights = sum(weightBytes, from, to);
    return rows + (2 * weights > near ? 3 * weights * shards : 0);
  };
  const endOf = (s: number) => starts[s + 1] ?? groups.length;
  const stageCost = starts.map((from, s) => sum(costs, from, endOf(s)));
  const cores = allocateCores(stageCost, coreCount);
  const stageCycles = starts.map((_, s) => stageCost[s]! / cores[s]!);
  // Off-chip bandwidth is shared in proportion to the bytes each unit moves, so the off-chip
  // time of an iteration is the layout's off-chip bytes over the whole bandwidth.
  const farBytes = starts.reduce((b, from, s) => b + offChipBytes(from, endOf(s), microBatches * cores[s]!), 0);
  const S = starts.length;
  const score = (Math.max(...stageCycles) * (microBatches + S - 1)) / microBatches + farBytes / farBytesPerCycle;
  const shardTasks = starts.reduce((n, from, s) => n + sum(nodeCount, from, endOf(s)) * cores[s]!, 0);
  return { starts, cores, stageCycles, score, shardTasks };
}

function describeChoice(control: StageControl, best: Candidate, candidates: Candidate[]): string {
  if (control.stageCuts && control.stageCuts.length > 0)
    return `cut by --stage-cuts before ${control.stageCuts.join(', ')}`;
  if (control.stages !== undefined)
    return `--stages ${control.stages}: layers cut to minimise the most expensive stage`;
  const scores = candidates.map((c) => `${c.starts.length}: ${c.score.toExponential(2)}`).join(', ');
  return `automatic: ${best.starts.length} stages; score (estimated cycles per iteration with fill and off-chip time) per stage count ${scores}; the lowest score wins`;
}

function stagesOf(groups: string[], { starts, cores, stageCycles }: Candidate): Stage[] {
  let nextCore = 0;
  return starts.map((start, s) => {
    const end = starts[s + 1] ?? groups.length;
    const list = Array.from({ length: cores[s]! }, (_, i) => nextCore + i);
    nextCore += cores[s]!;
    return { index: s, layers: groups.slice(start, end), cores: list, estimatedCycles: Math.ceil(stageCycles[s]!) };
  });
}

export function partitionStages(
  graph: Graph,
  network: Network,
  hw: HwModel,
  maxStages: number,
  microBatches = 1,
  control: StageControl = {},
): StagePartition {
  const profile = profileUnits(graph, network, hw);
  const { groups, nodeGroup, costs } = profile;
  const coreCount = Math.max(1, maxStages);
  if (control.stages !== undefined) checkStageCount(control.stages, groups.length, coreCount);
  const explicit =
    control.stageCuts && control.stageCuts.length > 0
      ? startsFromCuts(groups, control.stageCuts, coreCount)
      : undefined;
  const maxParts = Math.max(1, Math.min(coreCount, groups.length));
  const { cut } = cutTables(costs, maxParts);
  // A pipelined schedule asked for a pipeline: one stage only when there is nothing to cut (or when asked for).
  const counts = explicit
    ? [explicit.length]
    : control.stages !== undefined
      ? [control.stages]
      : Array.from({ length: maxParts - Math.min(2, maxParts) + 1 }, (_, i) => Math.min(2, maxParts) + i);
  const candidates: Candidate[] = counts.map((S) =>
    scoreLayout(profile, hw, explicit ?? startsFor(cut, S, groups.length), coreCount, microBatches),
  );
  const best = [...candidates].sort((a, b) => a.score - b.score || a.shardTasks - b.shardTasks)[0]!;
  const stageOfGroup = groups.map((_, g) => best.starts.filter((s) => s <= g).length - 1);
  const stageOfNode = new Map(graph.nodes.map((node, i) => [node.id, stageOfGroup[nodeGroup[i]!]!]));
  return { stages: stagesOf(groups, best), stageOfNode, choice: describeChoice(control, best, candidates) };
}
