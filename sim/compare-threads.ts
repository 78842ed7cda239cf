// `compare`'s rows on worker threads (runCompare with threads > 1), so rows run side by side on the
// machine's cores. Each thread simulates whole rows (compare-worker.ts) from the same inputs as the
// main thread would, so the report is the one a single thread gives. The rows with their own
// micro-batch count (M=16: the longest task lists and the largest heaps) all go to the first thread,
// one after another, so no two of them are held at once; the other rows go to whichever thread is
// free. Each thread's heap is capped (heapCaps) so V8 collects rather than growing it to several
// times the bytes live. A row that outgrows its thread's cap (a bigger chip) is simulated again on a
// fresh thread without a cap, which then serves that lane's rows. A row that threw (or whose
// uncapped thread died) is simulated again on the main thread, in row order, which raises the row's
// error as on one thread.
import { existsSync } from 'node:fs';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { runRow, type CompareBase, type CompareRowChoice, type RowOutcome } from './compare-row.js';
import type { RowReply, RowRequest } from './compare-worker.js';
import type { JobProgress } from './job.js';

/**
 * Heap caps in MiB of the first thread (the M=16 rows) and of the others. ResNet-9 and ResNet-5 on
 * multicore-16 run within them (its M=16 rows need more than 80 MiB of old generation alone in a
 * process); the rows of a bigger chip (gpu-like) outgrow them and run uncapped.
 */
export const heapCaps: { first: ResourceLimits; other: ResourceLimits } = {
  first: { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 16 },
  other: { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 16 },
};

/** The worker entry: the built dist/compare-worker.js, or a loader of compare-worker.ts when run from sources. */
function workerFile(): URL {
  const here = import.meta.url;
  if (here.endsWith('.ts')) return new URL('./compare-worker.mjs', here);
  const built = ['./compare-worker.js', '../compare-worker.js'].map((f) => new URL(f, here)).find((u) => existsSync(u));
  if (!built) throw new Error(`internal: no compare-worker.js beside the built ${here}`);
  return built;
}

/** Sends one row and waits for its reply; undefined when the thread is gone. */
function ask(worker: Worker, request: RowRequest): Promise<RowReply | undefined> {
  return new Promise((resolve) => {
    const settle = (reply: RowReply | undefined) => {
      worker.off('message', settle);
      worker.off('exit', gone);
      resolve(reply);
    };
    const gone = () => settle(undefined);
    worker.on('message', settle);
    worker.once('exit', gone);
    worker.postMessage(request);
  });
}

function startWorker(caps: ResourceLimits | undefined): Worker {
  const worker = new Worker(workerFile(), caps ? { resourceLimits: caps } : {});
  // A thread whose heap outgrows its cap exits (ask sees it gone); its row is simulated again.
  worker.on('error', () => {});
  return worker;
}

/** One thread's rows: its own first, then the shared ones; a capped thread that dies is replaced by an uncapped one (true). */
async function serveLane(
  own: number[],
  shared: number[],
  firstCaps: ResourceLimits,
  simulateRow: (worker: Worker, row: number) => Promise<RowReply | undefined>,
): Promise<boolean> {
  let caps: ResourceLimits | undefined = firstCaps;
  let worker = startWorker(caps);
  try {
    for (let row = own.shift() ?? shared.shift(); row !== undefined;) {
      const reply = await simulateRow(worker, row);
      if (!reply && caps) {
        caps = undefined;
        await worker.terminate();
        worker = startWorker(caps);
        continue;
      }
      if (!reply) break;
      row = own.shift() ?? shared.shift();
    }
    return caps === undefined;
  } finally {
    shared.unshift(...own.splice(0));
    await worker.terminate();
  }
}

/** The rows' outcomes in row order, with how many threads ran uncapped and which rows the main thread simulated. */
export interface ThreadedRows {
  outcomes: RowOutcome[];
  uncappedThreads: number;
  mainThreadRows: number[];
}

export async function rowsOnThreads(
  base: CompareBase,
  choices: CompareRowChoice[],
  threads: number,
  onProgress?: JobProgress,
  caps = heapCaps,
): Promise<ThreadedRows> {
  const rows = choices.map((_, row) => row);
  const own = rows.filter((row) => choices[row]!.microBatches !== undefined);
  const shared = rows.filter((row) => !own.includes(row));
  const outcomes: (RowOutcome | undefined)[] = rows.map(() => undefined);
  let done = 0;
  const simulateRow = async (worker: Worker, row: number): Promise<RowReply | undefined> => {
    const reply = await ask(worker, { row, base, choice: choices[row]! });
    if (reply && 'outcome' in reply) outcomes[row] = reply.outcome;
    if (reply) onProgress?.(++done / rows.length);
    return reply;
  };
  const lanes = Math.min(threads, rows.length);
  const uncapped = await Promise.all(
    Array.from({ length: lanes }, (_, i) =>
      serveLane(i === 0 ? own : [], shared, i === 0 ? caps.first : caps.other, simulateRow),
    ),
  );
  // Rows that threw or whose uncapped thread died, on this thread: a row that threw throws here.
  const mainThreadRows = rows.filter((row) => outcomes[row] === undefined);
  for (const row of mainThreadRows) outcomes[row] = await runRow(base, choices[row]!);
  return { outcomes: outcomes as RowOutcome[], uncappedThreads: uncapped.filter(Boolean).length, mainThreadRows };
}
