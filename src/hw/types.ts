// The parsed, unit-free hardware model every consumer reads. Files in hw-models/ carry unit
// strings; src/hw/load turns them into this shape (bytes, bytes per cycle, cycles, Hz, pJ).
import type { OpClass } from '../ir/types.js';

export type Dataflow = 'os' | 'ws' | 'is';

export interface SystolicArraySpec {
  name: string;
  rows: number;
  cols: number;
  dataflow: Dataflow;
  /** The stationary operand is double-buffered in the PEs: the next fold loads while this one streams. */
  weightDoubleBuffered?: boolean;
}

export interface VectorUnitSpec {
  name: string;
  lanes: number;
}

/** An op class's cost on a core's units: fixedCycles + scale * the unit's formula cycles. */
export interface OpCost {
  fixedCycles: number;
  scale: number;
}

export interface MemoryLevelSpec {
  name: string;
  /** 'core': one private instance per core; 'chip': one instance shared by all cores. */
  scope: 'core' | 'chip';
  capacityBytes: number;
  bandwidthBytesPerCycle: number;
  latencyCycles: number;
  banks: number;
  doubleBuffered: boolean;
  readEnergyPjPerByte?: number;
  writeEnergyPjPerByte?: number;
  /** SCALE-Sim-style split of an on-chip level into ifmap / filter / ofmap buffers. */
  partition?: { ifmapBytes: number; filterBytes: number; ofmapBytes: number };
}

export interface NocSpec {
  topology: 'mesh' | 'ring' | 'crossbar' | 'bus';
  linkBandwidthBytesPerCycle: number;
  hopLatencyCycles: number;
  energyPjPerByte?: number;
}

export interface HwModel {
  name: string;
  description: string;
  /** Public datasheet or paper the numbers come from, where they come from one. */
  source?: string;
  clockHz: number;
  /** Bytes of one data word moved and stored (4 for fp32, 2 for fp16/bf16, 1 for int8). */
  wordBytes: number;
  cores: {
    count: number;
    systolic: SystolicArraySpec[];
    vector: VectorUnitSpec[];
    /** Op classes costed on their own (hw calibrate measures them); the others cost the unit formulas alone. */
    opCosts?: Partial<Record<OpClass, OpCost>>;
  };
  /** Ordered nearest first; the last level is off-chip (DRAM/HBM). */
  memory: MemoryLevelSpec[];
  noc?: NocSpec;
  macEnergyPj?: number;
}
