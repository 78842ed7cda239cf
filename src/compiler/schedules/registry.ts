// Every schedule by name. Adding one: a new file in this folder and a line here; the compiler,
// validation, `alrflow simulate --help` and the sweeps pick it up from this list.
import { oneFOneB } from './1f1b.js';
import { bpSequential } from './bp-sequential.js';
import { dataParallel } from './data-parallel.js';
import { gpipe } from './gpipe.js';
import { layerPipelined } from './layer-pipelined.js';
import type { Schedule } from './schedule.js';
import { sequential } from './sequential.js';

export const schedules = {
  sequential,
  'data-parallel': dataParallel,
  'layer-pipelined': layerPipelined,
  'bp-sequential': bpSequential,
  gpipe,
  '1f1b': oneFOneB,
} as const satisfies Record<string, Schedule>;

export type ScheduleKind = keyof typeof schedules;
export const scheduleKinds = Object.keys(schedules) as ScheduleKind[];

export function scheduleOf(kind: ScheduleKind): Schedule {
  return schedules[kind];
}

export function isPipelined(kind: ScheduleKind): boolean {
  return schedules[kind].pipelined;
}

/** The CLI help's list: "name (summary); ...". */
export function scheduleHelp(): string {
  return scheduleKinds.map((k) => `${k}: ${schedules[k].summary}`).join('; ');
}
