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
import type { Graph } from '../ir/types.js';
import type { Dataset } from './datasets/types.js';

/** Bytes the runtime may hold per float of the graph: float64 host (8) + device float32 (4) + download (8) = 20, x 1.5 for a step's garbage not yet collected. */
export const runtimeBytesPerFloat = 30;
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

/** The bytes of every tensor of a graph as the runtime holds it (sign bits as bits, floats at runtimeBytesPerFloat). */
export function graphRuntimeBytes(graph: Graph): number {
  let bytes = 0;
  for (const t of Object.values(graph.tensors)) bytes += tensorBytes(t, runtimeBytesPerFloat);
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

export function countRunMemory(o: {
  step: Graph;
  microBatches: number;
  evaluation: Graph;
  dataset: Dataset;
}): MemoryCount {
  const graphBytes = Math.max(graphRuntimeBytes(o.step) * o.microBatches, graphRuntimeBytes(o.evaluation));
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
