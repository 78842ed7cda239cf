// Learning curves from a TrainReport, one panel per quantity (loss, accuracy, wall time, sigma) with
// titles in words, train and test in the same panel, x from step 0; and a run summary table (method,
// K, backend, epochs, steps, final accuracies and loss, wall time) read from the curves' last values. Pure.
import type { TrainCurve, TrainReport } from '../src/report/train-report.js';
import { formatNumber, formatPercent } from './format.js';
import type { LinePanel, NumericAxis, TablePanel } from './layout-types.js';

interface Quantity {
  id: string;
  title: string;
  axis: NumericAxis;
  yDomain?: [number, number];
  /** The series word of each metric of this quantity, in drawing order. */
  metrics: Record<string, string>;
}

const known: Quantity[] = [
  {
    id: 'loss',
    title: 'Loss',
    axis: { label: 'cross-entropy loss', unit: 'plain', unitText: 'nats' },
    metrics: { 'train.batchLoss': 'train, per batch', 'train.loss': 'train, epoch end', 'test.loss': 'test' },
  },
  {
    id: 'accuracy',
    title: 'Accuracy',
    axis: { label: 'accuracy', unit: 'fraction' },
    yDomain: [0, 1],
    metrics: { 'train.accuracy': 'train', 'test.accuracy': 'test' },
  },
  {
    id: 'wall',
    title: 'Wall-clock training time',
    axis: { label: 'time', unit: 'seconds' },
    metrics: { wallSeconds: 'time' },
  },
];

/** Words for a metric no table above knows: `sigma.fc1` -> "sigma fc1", `samplesPerSecond` -> "samples per second". */
export const metricWords = (key: string): string =>
  key
    .replace(/\./g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();

function quantities(keys: string[]): Quantity[] {
  const used = known.filter((q) => keys.some((k) => k in q.metrics));
  const sigma = keys.filter((k) => k.startsWith('sigma.'));
  const sigmaQ: Quantity[] =
    sigma.length === 0
      ? []
      : [
          {
            id: 'sigma',
            title: 'Noise sigma per layer',
            axis: { label: 'sigma', unit: 'plain', unitText: 'pre-activation units' },
            metrics: Object.fromEntries(sigma.map((k) => [k, metricWords(k.slice(6))])),
          },
        ];
  const claimed = new Set([...used, ...sigmaQ].flatMap((q) => Object.keys(q.metrics)));
  const rest = keys
    .filter((k) => !claimed.has(k))
    .map((k): Quantity => ({
      id: k.replace(/[^a-zA-Z0-9_-]/g, '_'),
      title: metricWords(k),
      axis: { label: metricWords(k), unit: 'plain', unitText: 'value' },
      metrics: { [k]: metricWords(k) },
    }));
  return [...used, ...sigmaQ, ...rest];
}

/** A diverged run's panels say where it stopped: the curves end at the step before. */
const statusSuffix = (report: TrainReport): string =>
  report.status === 'diverged' ? `, diverged at step ${report.divergedAtStep ?? '?'}` : '';

const runName = (c: TrainCurve): string => (c.copies === undefined ? c.method : `${c.method} K=${c.copies}`);
const points = (c: TrainCurve, metric: string): [number, number][] =>
  c.points.flatMap((p): [number, number][] => (p.metrics[metric] === undefined ? [] : [[p.step, p.metrics[metric]]]));

export function layoutTrainCurves(report: TrainReport): LinePanel[] {
  const keys = [...new Set(report.curves.flatMap((c) => c.points.flatMap((p) => Object.keys(p.metrics))))];
  const lastStep = Math.max(1, ...report.curves.flatMap((c) => c.points.map((p) => p.step)));
  return quantities(keys).map((q) => {
    const present = Object.keys(q.metrics).filter((m) => keys.includes(m));
    const series = report.curves.flatMap((c) =>
      present.map((m) => ({
        name: present.length > 1 ? `${runName(c)}: ${q.metrics[m]}` : runName(c),
        points: points(c, m),
      })),
    );
    return {
      id: `train-${q.id}`,
      title: `${q.title} (${report.model} on ${report.dataset}${statusSuffix(report)})`,
      xAxis: { label: 'training step', unit: 'plain', unitText: 'steps' },
      yAxis: q.axis,
      xDomain: [0, lastStep],
      ...(q.yDomain ? { yDomain: q.yDomain } : {}),
      series: series.filter((s) => s.points.length > 0),
    };
  });
}

const last = (c: TrainCurve, metric: string): number | undefined => points(c, metric).at(-1)?.[1];
const orDash = (v: number | undefined, f: (x: number) => string): string => (v === undefined ? '–' : f(v));

export function trainSummary(report: TrainReport): TablePanel {
  return {
    id: 'train-summary',
    title: `Runs: ${report.model} on ${report.dataset}${statusSuffix(report)}`,
    columns: [
      'method',
      'K',
      'backend',
      'epochs',
      'steps',
      'train accuracy',
      'test accuracy',
      'test loss (nats)',
      'training time',
    ],
    rows: report.curves.map((c) => [
      c.method,
      c.copies === undefined ? '–' : String(c.copies),
      c.backend ?? '–',
      formatNumber(Math.max(0, ...c.points.map((p) => p.epoch))),
      String(Math.max(0, ...c.points.map((p) => p.step))),
      orDash(last(c, 'train.accuracy'), formatPercent),
      orDash(last(c, 'test.accuracy'), formatPercent),
      orDash(last(c, 'test.loss'), (x) => x.toFixed(4)),
      orDash(last(c, 'wallSeconds'), (x) => `${formatNumber(x)} s`),
    ]),
    note: 'Accuracy and loss are the last evaluation (an epoch end); training time is the wall-clock time of the training steps.',
  };
}
