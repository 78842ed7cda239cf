// Utilisation per compute unit, and where the compute units' cycles went, as bar lists. The second
// chart is on the same base as the run's total cycles: each cause's share of the compute units'
// cycles times the total, so the bars add up to the total cycles (a sum of unit-cycles over 48 units
// would read as 28G against 1.3G). Pure.
import { type SimReport, stallCauses } from '../src/report/sim-report.js';
import { formatCount, formatPercent } from './format.js';
import type { BarListPanel } from './layout-types.js';

function cycleBars(report: SimReport): BarListPanel {
  const total = report.cycles.total;
  const shares = report.cycleShares as SimReport['cycleShares'] | undefined;
  const base = `the run's ${formatCount(total)} total cycles`;
  if (shares === undefined) {
    const units = new Set(report.timeline.map((e) => `${e.core}/${e.unit}`)).size || 1;
    return {
      id: 'stalls',
      title: 'Stall cycles by cause (mean per unit that ran tasks)',
      categoryLabel: 'cause',
      axis: { label: 'cycles per unit', unit: 'cycles' },
      maxValue: total,
      bars: stallCauses.map((cause) => ({ label: cause, value: report.stalls[cause] / units })),
      note: `Unit-cycles of each cause divided by the ${units} units that ran tasks; the axis spans ${base}.`,
    };
  }
  const causes = ['compute', ...stallCauses] as const;
  return {
    id: 'stalls',
    title: "Where the compute units' cycles went",
    categoryLabel: 'cause',
    axis: { label: 'cycles per compute unit', unit: 'cycles' },
    maxValue: total,
    bars: causes.map((cause) => ({ label: cause, value: shares[cause] * total, note: formatPercent(shares[cause]) })),
    note: `Each bar is the cause's share of the compute units' cycles times ${base}, so the bars add up to the total; pipeline bubble (fill and drain) ${formatPercent(report.bubbleRatio)}.`,
  };
}

/** [utilisation per unit (0..1), cycles per compute unit by cause]. */
export function layoutUnitBars(report: SimReport): [BarListPanel, BarListPanel] {
  const units = [...report.units].sort((a, b) => a.core - b.core || a.unit.localeCompare(b.unit));
  const utilisation: BarListPanel = {
    id: 'utilisation',
    title: 'Utilisation per unit',
    categoryLabel: 'unit',
    axis: { label: 'utilisation: compute cycles / total cycles', unit: 'fraction' },
    maxValue: 1,
    bars: units.map((u) => ({
      label: u.core < 0 ? u.unit : `core ${u.core} ${u.unit}`,
      value: u.utilisation,
      group: u.kind,
    })),
  };
  return [utilisation, cycleBars(report)];
}
