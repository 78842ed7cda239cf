// Number formatting for the report's tables and notes, the same way the CLI prints them: bytes with
// binary prefixes ("1.15 MiB", as src/hw's formatBytes; visualizer/ may not import src/hw), counts
// with thousands separators, shares as percent. Pure.

/** "6.16 KiB", "1.15 MiB": four significant digits and a binary prefix. */
export function formatBytes(bytes: number): string {
  const prefixes = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let i = 0;
  while (Math.abs(value) >= 1024 && i < prefixes.length - 1) {
    value /= 1024;
    i += 1;
  }
  return `${Number(value.toPrecision(4))} ${prefixes[i]}`;
}

/** "388,008": integers with thousands separators (cycles, events). */
export const formatCount = (n: number): string => Math.round(n).toLocaleString('en-US');

/** Four significant digits, no exponent below 1e21 ("7732", "0.003311"). */
export const formatNumber = (x: number): string => String(Number(x.toPrecision(4)));

/** "80.8 %" */
export const formatPercent = (fraction: number): string => `${(fraction * 100).toFixed(1)} %`;

/** A log axis when the positive values span more than `spread` times (a linear one would hide the small ones). */
export function needsLog(values: readonly number[], spread = 30): boolean {
  const positive = values.filter((v) => v > 0);
  return positive.length > 1 && Math.max(...positive) / Math.min(...positive) > spread;
}
