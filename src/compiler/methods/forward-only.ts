// What LR and ALR share beyond their rules: the schedules of a method without a backward chain and
// their `compare` rows (sequential, the forward-only pipeline with the default and 16 micro-batches,
// and with weights one update old).
import type { ScheduleKind } from '../schedules/registry.js';
import type { CompareRowSpec } from './rules.js';

export const forwardOnlySchedules: readonly ScheduleKind[] = ['sequential', 'data-parallel', 'layer-pipelined'];

export const forwardOnlyRows: readonly CompareRowSpec[] = [
  { rank: 10, schedule: 'sequential' },
  { rank: 20, schedule: 'layer-pipelined' },
  { rank: 30, schedule: 'layer-pipelined', microBatches: 16 },
  { rank: 40, schedule: 'layer-pipelined', staleness: 1 },
];
