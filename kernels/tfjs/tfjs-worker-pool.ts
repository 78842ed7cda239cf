// The tfjs-wasm backend's worker threads. TF.js's wasm backend runs one thread in Node (its
// threaded build needs browser Blob workers), so to use every core alrflow keeps one TF.js wasm
// instance per extra core in a piscina worker thread (tfjs-pool-worker.mjs) and hands each a row
// block of a large call (tfjs-split.ts decides; tfjs-blocks.ts computes). Threads = main thread +
// workers = os.availableParallelism() capped at MAX_THREADS, or ALRFLOW_TFJS_THREADS; 1 means no
// pool. Workers start on the first block, are unref'd while idle (they never keep the process
// alive) and end with destroy() (the runner's dispose). A worker that crashes or throws fails its
// call with KernelWorkerError instead of hanging it. Not a general task queue.
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { AlrflowError, ConfigError } from '../../src/errors.js';
import { packagePath } from '../../src/package-root.js';
import type { BlockTask } from './tfjs-blocks.js';

/** What a worker is handed: a split call, or 'ping' (answered once TF.js has loaded there). */
export type PoolMessage = BlockTask | 'ping';

/** More threads than this buys nothing measurable for the kernel sizes of a training step. */
export const MAX_THREADS = 8;

/** A pool worker died or failed while computing a block (an internal failure, exit code 1). */
export class KernelWorkerError extends AlrflowError {
  readonly exitCode = 1;
}

/** Threads the tfjs-wasm backend uses here, main thread included (ALRFLOW_TFJS_THREADS overrides). */
export function tfjsThreads(env: NodeJS.ProcessEnv = process.env): number {
  const asked = env['ALRFLOW_TFJS_THREADS'];
  if (asked !== undefined && asked !== '') {
    const n = Number(asked);
    if (!Number.isInteger(n) || n < 1)
      throw new ConfigError([
        `environment ALRFLOW_TFJS_THREADS = "${asked}"; allowed: an integer >= 1 (1 = no worker threads), or unset (one per core)`,
      ]);
    return n;
  }
  return Math.max(1, Math.min(availableParallelism(), MAX_THREADS));
}

export interface TfjsWorkerPoolOptions {
  /** Main thread + workers (default tfjsThreads()). */
  threads?: number;
  /** Module whose default export handles a BlockTask (default ./tfjs-pool-task.ts; tests pass a double). */
  taskModule?: string;
}

/** Worker threads computing blocks; lazy, serialised per split call by `exclusive`. */
export class TfjsWorkerPool {
  readonly threads: number;
  /** Chunks computed so far by the workers and by the main thread (tfjs-split.ts counts them). */
  readonly chunks = { workers: 0, main: 0 };
  private readonly taskUrl: string;
  private pool: Piscina | undefined;
  private failure: Promise<never> | undefined;
  private warm: Promise<void> | undefined;
  private failed: KernelWorkerError | undefined;
  /** Counts destroy() calls: a failure belongs to the workers of one generation. */
  generation = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private scratch = new SharedArrayBuffer(0);

  constructor(options: TfjsWorkerPoolOptions = {}) {
    this.threads = options.threads ?? tfjsThreads();
    this.taskUrl = options.taskModule ?? pathToFileURL(packagePath('kernels', 'tfjs', 'tfjs-pool-task.ts')).href;
  }

  /** Worker threads running now (0 before the first block and after destroy). */
  get liveWorkers(): number {
    return this.pool?.threads.length ?? 0;
  }

  /** Runs `fn` after every earlier split call has finished: calls share one scratch buffer. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** A shared buffer of at least `bytes`, reused between calls (valid inside `exclusive`). */
  buffer(bytes: number): SharedArrayBuffer {
    if (this.scratch.byteLength < bytes) this.scratch = new SharedArrayBuffer(Math.ceil(bytes * 1.25));
    return this.scratch;
  }

  /**
   * Starts the workers on first use and resolves once each has loaded TF.js (~0.5 s, once): a call
   * posted before that would wait in piscina's queue while the main thread did all the work.
   */
  ready(): Promise<void> {
    this.warm ??= Promise.all(Array.from({ length: this.threads - 1 }, () => this.run('ping'))).then(() => undefined);
    return this.warm;
  }

  /** Hands a split call to one worker (it claims chunks until none is left). */
  run(task: PoolMessage): Promise<void> {
    const pool = this.start();
    const done = (pool.run(task) as Promise<void>).catch((err: unknown) => {
      throw this.error(task, err);
    });
    return Promise.race([done, this.failure!]);
  }

  /**
   * Keeps the first worker failure of a call that finished without waiting for that worker (the
   * main thread did its chunks); throwIfFailed raises it on the next call, so no crash goes unseen.
   */
  noteFailure(err: unknown, generation: number): void {
    // A task of workers that destroy() already ended (a stale one, rejected by the termination) is no failure.
    if (generation !== this.generation) return;
    this.failed ??= err instanceof KernelWorkerError ? err : this.error(null, err);
  }

  throwIfFailed(): void {
    if (this.failed) throw this.failed;
  }

  /** Ends every worker (the runner's dispose) and forgets failures; a later call starts fresh ones. */
  async destroy(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    this.failure = undefined;
    this.failed = undefined;
    this.generation++;
    this.warm = undefined;
    await pool?.destroy();
  }

  private start(): Piscina {
    if (this.pool) return this.pool;
    const workers = this.threads - 1;
    const pool = new Piscina({
      filename: pathToFileURL(packagePath('kernels', 'tfjs', 'tfjs-pool-worker.mjs')).href,
      minThreads: workers,
      maxThreads: workers,
      // A worker counts as busy until the main thread's event loop reads its reply, which it cannot
      // do while it computes its own chunks: with one task per worker the next call would queue
      // here and run only after the main thread had done every chunk itself. Tasks are sequential
      // in a worker anyway, and a stale one finds no chunk left and returns at once.
      concurrentTasksPerWorker: 8,
      // Kept while the runner lives: a worker's start (tsx + TF.js wasm) costs ~0.5 s.
      idleTimeout: 2 ** 31 - 1,
      workerData: { taskUrl: this.taskUrl },
    });
    // A failure no task owns (a worker that cannot start) would otherwise leave a call waiting forever.
    this.failure = new Promise<never>((_, reject) => {
      pool.on('error', (err: unknown) => reject(this.error(null, err)));
    });
    this.failure.catch(() => undefined);
    this.pool = pool;
    return pool;
  }

  private error(task: PoolMessage | null, err: unknown): KernelWorkerError {
    const what =
      task === null || task === 'ping'
        ? 'starting'
        : `computing a ${task.spec.kind} call split in ${task.chunks.length} chunks`;
    const msg = err instanceof Error ? err.message : String(err);
    return new KernelWorkerError(
      `tfjs-wasm worker pool (${this.threads} threads): a worker thread failed while ${what}: ${msg}. Hint: set ALRFLOW_TFJS_THREADS=1 to run every kernel on the main thread`,
    );
  }
}
