// The shapes the layout functions produce and the page's client script draws: plain JSON, in data
// units (cycles, bytes, ratios), with no pixels and no DOM. Rendering decides scales and colours; the
// layouts decide what each axis means (its quantity, its unit, log or linear), so every axis is labelled.

/**
 * How values are measured: bytes get binary prefixes, cycles and rates decimal words ("thousand"),
 * ratios a log axis with plain numbers, fractions percent; `plain` uses the axis's own unitText.
 */
export type ValueUnit = 'cycles' | 'bytes' | 'ratio' | 'fraction' | 'per-second' | 'seconds' | 'plain';

/** A numeric axis: `label (unit)` is drawn beside it, e.g. "peak memory (MiB)", "iterations/s relative to BP (×, log scale)". */
export interface NumericAxis {
  label: string;
  unit: ValueUnit;
  /** The unit's name where `unit` does not say it: "iterations/s" for per-second, "nats" for a loss. */
  unitText?: string;
  log?: boolean;
}

/** Horizontal bars with one value each (a run, a unit or a stall cause per bar), each bar labelled with its value. */
export interface BarListPanel {
  id: string;
  title: string;
  /** What the bars' labels name ("run", "unit", "cause"): the category axis's label. */
  categoryLabel: string;
  axis: NumericAxis;
  bars: { label: string; value: number; group?: string; note?: string }[];
  /** The largest value the axis must show (1 for utilisation, the total cycles for cycle shares). */
  maxValue?: number;
  /** A vertical reference line (1 for ratios to BP, a level's capacity). */
  reference?: { value: number; label: string };
  /** A sentence under the chart saying what the base of the numbers is. */
  note?: string;
}

/** Lines over a numeric x, one per series; `xTicks` names integer x positions (layer names). */
export interface LinePanel {
  id: string;
  title: string;
  xAxis: NumericAxis;
  yAxis: NumericAxis;
  xTicks?: string[];
  series: { name: string; points: [number, number][] }[];
  /** Fixed y range, e.g. [-1, 1] for cosines; otherwise the renderer fits the data. */
  yDomain?: [number, number];
  /** Fixed x range, e.g. from step 0. */
  xDomain?: [number, number];
}

export interface ScatterPanel {
  id: string;
  title: string;
  xAxis: NumericAxis;
  yAxis: NumericAxis;
  /** Distinct points: configurations with the same (x, y) share one point, `count` of them. */
  points: { x: number; y: number; highlighted: boolean; count: number; label: string }[];
  /** Indices into points along the highlighted front, sorted by x, for the connecting line. */
  front: number[];
  note?: string;
}

export interface TablePanel {
  id: string;
  title: string;
  columns: string[];
  rows: string[][];
  note?: string;
}
