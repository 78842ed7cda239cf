// The memory guard of `train`: before anything is allocated or written, the bytes the run will hold
// are counted from its compiled step graph (and evaluation graph), its dataset and its parameters,
// and a run whose count exceeds --max-memory (default: 80% of the memory available) is refused with
// exit 3. The count bounds what the runtime truly holds, not what the graph needs: the runtime keeps
// every tensor of a step until the step ends, as float64 on the host (8 bytes per float) and, on a
// device backend, a float32 copy on the device (4) plus a downloaded host copy (8), and the step
// before's arrays may not be collected yet when the next one starts. Measured peak RSS stays under
// the count on the configurations of test/unit/train-memory-guard.test.ts (README: "Memory guard").
import { readFileSync } from 'node:fs';
import { freemem } from 'node:os';
import { ResourceLimitError } from '../errors.js';
import { formatBytes } from '../hw/units.js';
import { elementCount } from '../ir/graph.js';
import { tensorBytes } from '../ir/tensor-bytes.js';
import type { Graph, IrNode } from '../ir/types.js';
import type { Dataset } from './datasets/types.js';

/**
 * Bytes the runtime may hold per float of the graph: float64 host (8) + device float32 (4) + download (8) = 20,
 * x 1.8 for a step's garbage not yet collected. (x 1.5 was too little under load: in the full suite on 2 cores,
 * an ALR K=1000 MLP run held 253.05 MB more RSS than its BP twin against a 252.92 MB count; 202-214 MB idle.)
 */
export const runtimeBytesPerFloat = 36;
/** Node, tsx or the bundle, TF.js wasm instances (one per core, each with its own heap), kernels' code and buffers: measured 230-470 MiB on the runs of the memory test and README, counted as 512 MiB. */
export const fixedOverheadBytes = 512 * 2 ** 20;
/** Copies of the parameters a step holds: weights, update result, gradient (and its float64 copy), optimizer state and its update (Adam: two each). */
const parameterCopies = 10;
/** The default --max-memory: this share of the memory available when the run starts. */
export const defaultMemoryShare = 0.8;

export interface MemoryCount {
  /** The step graph's tensors (x micro-batches) or the evaluation graph's, whichever is larger, at runtimeBytesPerFloat. */
  graphBytes: number;
  datasetBytes: number;
  parameterBytes: number;
  overheadBytes: number;
  totalBytes: number;
}

/**
 * The bytes of the tensors a graph's selected nodes read or write, as the runtime holds them (sign
 * bits as bits, floats at runtimeBytesPerFloat); every node by default.
 */
export function graphRuntimeBytes(graph: Graph, select: (node: IrNode) => boolean = () => true): number {
  const ids = new Set(graph.nodes.filter(select).flatMap((n) => [...n.inputs, ...n.outputs]));
  let bytes = 0;
  for (const id of ids) {
    const t = graph.tensors[id];
    if (t) bytes += tensorBytes(t, runtimeBytesPerFloat);
  }
  return bytes;
}

/** The dataset in memory, plus its file bytes while it is being read. */
function datasetBytes(dataset: Dataset): number {
  const split = (s: Dataset['train']): number => s.features.byteLength * 1.25 + s.labels.byteLength;
  return split(dataset.train) + split(dataset.test);
}

/** Parameter elements of a graph: its weight-class tensors. */
function parameterElements(graph: Graph): number {
  return Object.values(graph.tensors)
    .filter((t) => t.cls === 'weight')
    .reduce((n, t) => n + elementCount(t.shape), 0);
}

/** Evaluation runs only the BP graph's forward and loss nodes (runtime/evaluate.ts). */
const evaluated = (n: IrNode): boolean => n.phase === 'forward' || n.phase === 'loss';

export function countRunMemory(o: {
  step: Graph;
  microBatches: number;
  evaluation: Graph;
  dataset: Dataset;
}): MemoryCount {
  const graphBytes = Math.max(graphRuntimeBytes(o.step) * o.microBatches, graphRuntimeBytes(o.evaluation, evaluated));
  const parts = {
    graphBytes,
    datasetBytes: datasetBytes(o.dataset),
    parameterBytes: parameterElements(o.step) * 8 * parameterCopies,
    overheadBytes: fixedOverheadBytes,
  };
  return { ...parts, totalBytes: parts.graphBytes + parts.datasetBytes + parts.parameterBytes + parts.overheadBytes };
}

/** Memory available to a new allocation: MemAvailable (Linux), else free memory; a cgroup limit caps it. */
export function availableMemoryBytes(): number {
  let available = freemem();
  try {
    const hit = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
    if (hit) available = Number(hit[1]) * 1024;
  } catch {
    // Not Linux: os.freemem() it is.
  }
  const limit = process.constrainedMemory?.() ?? 0;
  return limit > 0 && limit < available ? limit : available;
}

/** Throws ResourceLimitError (exit 3) when the count exceeds the limit. */
export function checkMemory(count: MemoryCount, limit: { bytes: number; source: string }, what: string): void {
  if (count.totalBytes <= limit.bytes) return;
  const parts = `step graph ${formatBytes(count.graphBytes)}, dataset ${formatBytes(count.datasetBytes)}, parameters and optimizer state ${formatBytes(count.parameterBytes)}, fixed overhead ${formatBytes(count.overheadBytes)}`;
  throw new ResourceLimitError(
    `train: ${what} needs ${formatBytes(count.totalBytes)} (${count.totalBytes} bytes: ${parts}) but --max-memory allows ${formatBytes(limit.bytes)} (${limit.bytes} bytes, ${limit.source}); nothing was written. Hint: lower --copies or --batch, use --micro-batches with a step --schedule, or raise --max-memory`,
  );
}

/** What `train` needs to count its memory: its graphs, batch, dataset, and the rows one evaluation chunk may hold. */
export interface RunMemoryInput {
  step: Graph;
  microBatches: number;
  /** The BP graph for `rows` samples (evaluation runs its forward and loss nodes). */
  plainGraph: (rows: number) => Graph;
  dataset: Dataset;
  /** Rows evaluated at most at once (500 in Runtime.evaluate), and no more than a split holds. */
  evaluationRows: number;
}

/** Rows of one evaluation chunk: as many as fit in the step's own bytes (at least 1 GiB), at most `evaluationRows`. */
export function evaluationChunk(o: RunMemoryInput): number {
  // Bytes are affine in the rows: the parameters are fixed, the activations grow by one row's worth.
  const one = graphRuntimeBytes(o.plainGraph(1), evaluated);
  const perRow = graphRuntimeBytes(o.plainGraph(2), evaluated) - one;
  const budget = Math.max(graphRuntimeBytes(o.step) * o.microBatches, 2 ** 30) - (one - perRow);
  return Math.max(1, Math.min(o.evaluationRows, Math.floor(budget / perRow)));
}

/**
 * Counts the run's memory and refuses it (ResourceLimitError, exit 3) above `maxBytes` (default:
 * 80% of the memory available). Returns the count, the limit and the evaluation chunk it assumed.
 */
export function guardRunMemory(
  o: RunMemoryInput,
  maxBytes: number | undefined,
  what: string,
): { countBytes: number; limitBytes: number; evaluationChunk: number } {
  const chunk = evaluationChunk(o);
  const count = countRunMemory({
    step: o.step,
    microBatches: o.microBatches,
    evaluation: o.plainGraph(chunk),
    dataset: o.dataset,
  });
  const available = availableMemoryBytes();
  const limit =
    maxBytes === undefined
      ? {
          bytes: Math.floor(defaultMemoryShare * available),
          source: `the default: ${100 * defaultMemoryShare}% of the ${formatBytes(available)} available`,
        }
      : { bytes: maxBytes, source: 'as given' };
  checkMemory(count, limit, what);
  return { countBytes: count.totalBytes, limitBytes: limit.bytes, evaluationChunk: chunk };
}
