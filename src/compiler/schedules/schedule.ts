// What a schedule is, as data: whether it is a pipeline, how its tasks synchronise and in which
// order a stage issues its forward and backward blocks. One file per schedule in this folder
// declares one; registry.ts lists them. The compiler, the simulator's front door, the CLI help and
// option validation all read these declarations; which methods run under a schedule is the method
// registry's word (src/compiler/methods).

/** Issue ranks of the forward and backward (gradient) block of each micro-batch on stage s of S. */
export type BlockOrder = (s: number, S: number, M: number) => { forward: number[]; backward: number[] };

export interface Schedule {
  name: string;
  /** One line for the CLI help. */
  summary: string;
  /** Stages on runs of cores with micro-batches flowing through them. */
  pipelined: boolean;
  /** Flat schedules: each op waits for every shard of its producers (one op after another on the whole machine). */
  barrier: boolean;
  /** Staleness values allowed; 1 software-pipelines the gradient work of step i - 1 into body i. */
  staleness: readonly (0 | 1)[];
  /** Pipelined schedules: the issue order of blocks on a stage. */
  blockOrder?: BlockOrder;
}

/** Warm up min(M, S - s) forwards, then alternate one backward and one forward (1F1B / the forward-only pipeline). */
export const oneForwardOneBackward: BlockOrder = (s, S, M) => {
  const forward = new Array<number>(M).fill(0);
  const backward = new Array<number>(M).fill(0);
  let rank = 0;
  const ahead = Math.min(M, S - s);
  for (let t = 0; t < ahead; t++) forward[t] = rank++;
  for (let t = 0; t < M; t++) {
    backward[t] = rank++;
    if (t + ahead < M) forward[t + ahead] = rank++;
  }
  return { forward, backward };
};
