// All-reduce on the network: ring (2(p-1) steps, each moving 1/p of the buffer to the next core)
// or tree (reduce up and broadcast down a binary tree: 2 ceil(log2 p) steps of the whole buffer),
// timed from the NoC's topology (hops between the cores that exchange), link bandwidth and hop
// latency. The compiler picks the faster; the simulator moves the bytes on shared links.
import type { HwModel } from '../hw/types.js';

export type AllReduceAlgorithm = 'ring' | 'tree';

export interface AllReducePlan {
  algorithm: AllReduceAlgorithm;
  /** Bytes each participant sends over its link. */
  bytesPerParticipant: number;
  /** Hop latencies on the critical path: steps x the most hops of a step. */
  hops: number;
  /** Estimated cycles alone on the network. */
  cycles: number;
}

/** Position of a core on its topology: mesh cores row-major on a ceil(sqrt(n))-wide grid. */
function hopsBetween(hw: HwModel, a: number, b: number): number {
  if (a === b) return 0;
  const n = hw.cores.count;
  switch (hw.noc?.topology) {
    case 'mesh': {
      const w = Math.ceil(Math.sqrt(n));
      return Math.abs((a % w) - (b % w)) + Math.abs(Math.floor(a / w) - Math.floor(b / w));
    }
    case 'ring': {
      const d = Math.abs(a - b);
      return Math.min(d, n - d);
    }
    default:
      return 1;
  }
}

/**
 * Ring order of the participants. On a mesh whose participants fill an even number of whole rows, a
 * Hamiltonian cycle (along row 0, snaking back over columns 1.. of the other rows, up column 0), so
 * every step is one hop; otherwise a snake through the rows (its closing step is longer); list order
 * on other topologies.
 */
function ringOrder(hw: HwModel, cores: readonly number[]): number[] {
  if (hw.noc?.topology !== 'mesh') return [...cores];
  const w = Math.ceil(Math.sqrt(hw.cores.count));
  const rows = cores.length / w;
  const whole = cores.every((c, i) => c === i) && Number.isInteger(rows) && rows >= 2 && rows % 2 === 0;
  if (whole && w >= 2) {
    const order = Array.from({ length: w }, (_, c) => c);
    for (let r = 1; r < rows; r++) for (let i = 1; i < w; i++) order.push(r * w + (r % 2 === 1 ? w - i : i));
    for (let r = rows - 1; r >= 1; r--) order.push(r * w);
    return order;
  }
  const key = (c: number) => {
    const row = Math.floor(c / w);
    return row * w + (row % 2 === 0 ? c % w : w - 1 - (c % w));
  };
  return [...cores].sort((x, y) => key(x) - key(y));
}

function ringHops(hw: HwModel, cores: readonly number[]): number {
  const order = ringOrder(hw, cores);
  return Math.max(...order.map((c, i) => hopsBetween(hw, c, order[(i + 1) % order.length]!)));
}

function treeHops(hw: HwModel, cores: readonly number[], levels: number): number {
  let total = 0;
  for (let l = 0; l < levels; l++) {
    const stride = 2 ** l;
    let most = 0;
    for (let i = 0; i + stride < cores.length; i += 2 * stride)
      most = Math.max(most, hopsBetween(hw, cores[i]!, cores[i + stride]!));
    total += most;
  }
  return total;
}

/** The faster of ring and tree all-reduce of `bytes` over `cores`. */
export function planAllReduce(hw: HwModel, cores: readonly number[], bytes: number): AllReducePlan {
  const p = cores.length;
  const bw = hw.noc?.linkBandwidthBytesPerCycle ?? hw.memory.at(-1)?.bandwidthBytesPerCycle ?? 1;
  const latency = hw.noc?.hopLatencyCycles ?? 0;
  if (p <= 1 || bytes === 0) return { algorithm: 'ring', bytesPerParticipant: 0, hops: 0, cycles: 0 };
  const ringBytes = Math.ceil((2 * (p - 1) * bytes) / p);
  const ringHopTotal = 2 * (p - 1) * ringHops(hw, cores);
  const ring = {
    algorithm: 'ring' as const,
    bytesPerParticipant: ringBytes,
    hops: ringHopTotal,
    cycles: Math.ceil(ringBytes / bw) + ringHopTotal * latency,
  };
  const levels = Math.ceil(Math.log2(p));
  // Every step of the tree moves the whole buffer; its critical path crosses 2 x levels steps.
  const treeBytes = 2 * levels * bytes;
  const treeHopTotal = 2 * treeHops(hw, cores, levels);
  const tree = {
    algorithm: 'tree' as const,
    bytesPerParticipant: treeBytes,
    hops: treeHopTotal,
    cycles: Math.ceil(treeBytes / bw) + treeHopTotal * latency,
  };
  return tree.cycles < ring.cycles ? tree : ring;
}
