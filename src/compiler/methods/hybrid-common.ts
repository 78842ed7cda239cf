// What Hybrid and A-Hybrid share beyond their rules: schedules that carry a backward chain (the flat
// ones and the BP pipelines) and their `compare` rows, without and with a pipeline.
import type { ScheduleKind } from '../schedules/registry.js';
import type { CompareRowSpec } from './rules.js';

export const hybridSchedules: readonly ScheduleKind[] = ['sequential', 'data-parallel', 'gpipe', '1f1b'];

export const hybridRows: readonly CompareRowSpec[] = [
  { rank: 60, schedule: 'sequential' },
  { rank: 70, schedule: '1f1b' },
];
