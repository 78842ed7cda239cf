// Learning-rate schedules as pure functions of the global step, so a resumed run sees exactly the
// rates an uninterrupted one would. Cosine decay is the prototype's best recipe for LR/ALR
// (LR-MNIST-PROTOTYPE.md 3.3); warm-up is linear from 0.
export type LrScheduleKind = 'constant' | 'cosine' | 'step';
export const lrScheduleKinds: readonly LrScheduleKind[] = ['constant', 'cosine', 'step'];

export interface LrSchedule {
  kind: LrScheduleKind;
  baseLr: number;
  totalSteps: number;
  warmupSteps?: number;
  /** 'step' only: multiply by `gamma` every `everySteps`. */
  gamma?: number;
  everySteps?: number;
}

export function learningRateAt(schedule: LrSchedule, step: number): number {
  const warmup = schedule.warmupSteps ?? 0;
  if (step < warmup) return (schedule.baseLr * (step + 1)) / warmup;
  const progress = Math.min(1, (step - warmup) / Math.max(1, schedule.totalSteps - warmup));
  switch (schedule.kind) {
    case 'constant':
      return schedule.baseLr;
    case 'cosine':
      return schedule.baseLr * 0.5 * (1 + Math.cos(Math.PI * progress));
    case 'step':
      return (
        schedule.baseLr *
        (schedule.gamma ?? 0.1) **
          Math.floor((step - warmup) / (schedule.everySteps ?? Math.max(1, schedule.totalSteps)))
      );
    default:
      return schedule.kind satisfies never;
  }
}
