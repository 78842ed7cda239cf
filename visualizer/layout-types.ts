// The shapes the layout functions produce and the page's client script draws: plain JSON, in data
// units (cycles, bytes, ratios), with no pixels and no DOM. Rendering decides scales and colours.

/** Bars in groups, e.g. methods (groups) by schedules (series). `values[g][s]` is null where absent. */
export interface GroupedBarsPanel {
  id: string;
  title: string;
  unit: ValueUnit;
  groups: string[];
  series: string[];
  values: (number | null)[][];
  /** A horizontal reference line (1 for ratios to BP). */
  reference?: number;
}

/** Lines over a numeric x, one per series; `xTicks` names integer x positions (layer names). */
export interface LinePanel {
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  unit: ValueUnit;
  xTicks?: string[];
  series: { name: string; points: [number, number][] }[];
  /** Fixed y range, e.g. [-1, 1] for cosines; otherwise the renderer fits the data. */
  yDomain?: [number, number];
}

/** Horizontal bars with one value each (utilisation per unit, stall cycles per cause). */
export interface BarListPanel {
  id: string;
  title: string;
  unit: ValueUnit;
  bars: { label: string; value: number; group?: string }[];
  /** The largest value the axis must show (1 for utilisation). */
  maxValue?: number;
}

export interface ScatterPanel {
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  xUnit: ValueUnit;
  yUnit: ValueUnit;
  points: { x: number; y: number; highlighted: boolean; label: string }[];
  /** Indices into points along the highlighted front, sorted by x, for the connecting line. */
  front: number[];
}

export interface TablePanel {
  id: string;
  title: string;
  columns: string[];
  rows: string[][];
}

export type ValueUnit = 'cycles' | 'bytes' | 'ratio' | 'fraction' | 'per-second' | 'plain';
