// Distributed sweeps on BullMQ (Redis): the coordinator enqueues one job per point (job id derived
// from the point key, so a point enqueued twice is one job) and collects the results; workers on
// any machine evaluate jobs on their local thread pool. A worker killed mid-point loses nothing:
// its lock expires and BullMQ's stalled-job check puts the point back in the queue. Connections
// time out quickly, so an unreachable Redis is a clear ConfigError naming the address, not a hang.
import { Job, Queue, QueueEvents, Worker, type ConnectionOptions } from 'bullmq';
import { ConfigError } from '../errors.js';
import { LocalPool, errorResult, type LocalPoolOptions } from './local-pool.js';
import type { PointResult, SweepPoint } from './types.js';

export const defaultQueueName = 'alrflow-sweep';
const CONNECT_TIMEOUT_MS = 3000;

/** The little of an ioredis client used here; typed locally because ioredis is an optional peer of bullmq. */
interface RedisClient {
  connect(): Promise<void>;
  ping(): Promise<string>;
  disconnect(): void;
  on(event: 'error', listener: (err: Error) => void): unknown;
}
type RedisConstructor = new (url: string, options: Record<string, unknown>) => RedisClient;

export interface QueueTarget {
  url: string;
  queueName?: string;
}

/** Checks a redis:// URL; the message names the option and shows the expected form. */
export function parseRedisUrl(url: string): { host: string; port: number } {
  let u: URL | undefined;
  try {
    u = new URL(url);
  } catch {
    u = undefined;
  }
  if (!u || (u.protocol !== 'redis:' && u.protocol !== 'rediss:') || !u.hostname) {
    throw new ConfigError([`--queue: found "${url}"; allowed: redis://HOST:PORT (e.g. redis://127.0.0.1:6379)`]);
  }
  return { host: u.hostname, port: u.port ? Number(u.port) : 6379 };
}

/** Opens an ioredis connection that fails within a few seconds instead of retrying forever. */
export async function connectRedis(url: string): Promise<RedisClient> {
  const { host, port } = parseRedisUrl(url);
  let Redis: RedisConstructor;
  try {
    // A variable specifier keeps tsc from requiring ioredis's types where it is not installed.
    const specifier = 'ioredis';
    Redis = ((await import(specifier)) as { Redis: RedisConstructor }).Redis;
  } catch {
    throw new ConfigError([
      `--queue ${url}: the Redis client package 'ioredis' is not installed (bullmq 6 needs one); hint: npm install ioredis`,
    ]);
  }
  let connected = false;
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    // BullMQ's blocking commands require null; reconnects after a first success are bounded below.
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => (connected && times <= 20 ? Math.min(times * 200, 2000) : null),
  });
  let lastError: Error | undefined;
  client.on('error', (err) => {
    lastError = err;
  });
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`no answer within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS + 500).unref(),
  );
  try {
    await Promise.race([client.connect(), timeout]);
    await Promise.race([client.ping(), timeout]);
    connected = true;
  } catch (err) {
    client.disconnect();
    throw new ConfigError([
      `--queue ${url}: cannot reach Redis at ${host}:${port} (${(lastError ?? (err as Error)).message}); hint: start redis-server there or check the host and port`,
    ]);
  }
  return client;
}

const jobId = (key: string): string => `p-${key}`;

/** The result of a finished job: its return value, or an error row for a job that failed for good. */
function jobResult(job: Job, point: SweepPoint, state: string): PointResult | undefined {
  if (state === 'completed')
    return (typeof job.returnvalue === 'string' ? JSON.parse(job.returnvalue) : job.returnvalue) as PointResult;
  if (state === 'failed') return errorResult(point, new Error(job.failedReason));
  return undefined;
}

export interface QueuedRunOptions extends QueueTarget {
  /** Drop finished jobs of these points left by an earlier sweep (a fresh, not resumed, run). */
  fresh?: boolean;
  /** How often to re-read the job states, in case an event was missed (ms). */
  pollMs?: number;
}

/** Enqueues the points and resolves when every one has a result (each handed once to onResult). */
export async function runQueued(
  points: readonly SweepPoint[],
  options: QueuedRunOptions,
  onResult: (r: PointResult) => void,
): Promise<void> {
  const name = options.queueName ?? defaultQueueName;
  const [conn, eventsConn] = [await connectRedis(options.url), await connectRedis(options.url)];
  const queue = new Queue(name, { connection: conn as ConnectionOptions });
  const events = new QueueEvents(name, { connection: eventsConn as ConnectionOptions });
  queue.on('error', () => undefined);
  events.on('error', () => undefined);
  const pending = new Map(points.map((p) => [jobId(p.key), p]));
  let wake: () => void = () => undefined;
  const settle = (id: string, result: PointResult | undefined): void => {
    if (!result || !pending.delete(id)) return;
    onResult(result);
    wake();
  };
  const check = async (ids: string[]): Promise<void> => {
    for (const id of ids) {
      const job = await queue.getJob(id);
      const point = pending.get(id);
      if (job && point) settle(id, jobResult(job, point, await job.getState()));
    }
  };
  try {
    events.on('completed', ({ jobId: id }) => void check([id]));
    events.on('failed', ({ jobId: id }) => void check([id]));
    await events.waitUntilReady();
    if (options.fresh) await dropFinished(queue, [...pending.keys()]);
    await retryFailed(queue, [...pending.keys()]);
    await queue.addBulk(
      points.map((p) => ({
        name: 'point',
        data: p,
        opts: { jobId: jobId(p.key), attempts: 3, removeOnComplete: false, removeOnFail: false },
      })),
    );
    while (pending.size > 0) {
      await check([...pending.keys()]);
      if (pending.size === 0) break;
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, options.pollMs ?? 2000);
      });
    }
  } finally {
    await Promise.allSettled([events.close(), queue.close()]);
    conn.disconnect();
    eventsConn.disconnect();
  }
}

async function dropFinished(queue: Queue, ids: string[]): Promise<void> {
  for (const id of ids) {
    const job = await queue.getJob(id);
    if (job && ((await job.isCompleted()) || (await job.isFailed()))) await job.remove();
  }
}

/** A point whose job failed in an earlier run is tried again rather than recorded as failed. */
async function retryFailed(queue: Queue, ids: string[]): Promise<void> {
  for (const id of ids) {
    const job = await queue.getJob(id);
    if (job && (await job.isFailed())) await job.retry('failed');
  }
}

export interface QueueWorkerOptions extends QueueTarget, LocalPoolOptions {
  /** Job lock duration (ms): a killed worker's point is retried after about this long. */
  lockMs?: number;
}

/** A running queue worker: jobs are evaluated on a local thread pool until close() is called. */
export interface QueueWorker {
  close(): Promise<void>;
  readonly workers: number;
}

export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const conn = await connectRedis(options.url);
  const pool = new LocalPool(options);
  const lockMs = options.lockMs ?? 30_000;
  const worker = new Worker<SweepPoint, PointResult>(
    options.queueName ?? defaultQueueName,
    (job) => pool.evaluate(job.data),
    {
      connection: conn as ConnectionOptions,
      concurrency: pool.workers,
      lockDuration: lockMs,
      stalledInterval: lockMs,
      // A point may outlive several killed workers before it counts as failed.
      maxStalledCount: 10,
    },
  );
  worker.on('error', (err) => process.stderr.write(`alrflow worker: ${err.message}\n`));
  await worker.waitUntilReady();
  return {
    workers: pool.workers,
    async close() {
      await worker.close();
      await pool.destroy();
      conn.disconnect();
    },
  };
}
