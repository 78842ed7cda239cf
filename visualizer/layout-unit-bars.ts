// Utilisation per compute unit and the stall breakdown of a SimReport, as bar lists. Pure.
import { type SimReport, stallCauses } from '../src/report/sim-report.js';
import type { BarListPanel } from './layout-types.js';

/** [utilisation per unit (0..1), stall cycles per cause]. */
export function layoutUnitBars(report: SimReport): [BarListPanel, BarListPanel] {
  const units = [...report.units].sort((a, b) => a.core - b.core || a.unit.localeCompare(b.unit));
  const utilisation: BarListPanel = {
    id: 'utilisation',
    title: 'Utilisation per unit',
    unit: 'fraction',
    maxValue: 1,
    bars: units.map((u) => ({ label: u.core < 0 ? u.unit : `core ${u.core} ${u.unit}`, value: u.utilisation, group: u.kind })),
  };
  const stalls: BarListPanel = {
    id: 'stalls',
    title: `Stall cycles by cause (bubble ratio ${(report.bubbleRatio * 100).toFixed(1)}%)`,
    unit: 'cycles',
    bars: stallCauses.map((cause) => ({ label: cause, value: report.stalls[cause] })),
  };
  return [utilisation, stalls];
}
