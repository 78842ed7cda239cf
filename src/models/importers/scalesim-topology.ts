// Importer for SCALE-Sim topology CSVs: conv rows `Layer name, IFMAP Height, IFMAP Width, Filter
// Height, Filter Width, Channels, Num Filter, Strides` and GEMM rows `Layer, M, N, K`. Produces the
// list of layers in SCALE-Sim's own terms (GEMM rows become 1xK convs exactly as SCALE-Sim does) and,
// where consecutive layers chain, an alrflow Network. It does no timing.
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../errors.js';
import type { Layer, Network } from '../layers.js';
import { scaleSimOfmapSize, type ScaleSimLayer } from '../../hw/scalesim-layer.js';

export { scaleSimOfmapSize, type ScaleSimLayer };

/** Reads a topology file; `gemm` selects the `Layer, M, N, K` format (SCALE-Sim's `-i gemm`). */
export function loadScaleSimTopology(path: string, gemm = false): ScaleSimLayer[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError([`${path}: cannot read the topology (${(err as Error).message})`]);
  }
  return parseScaleSimTopology(text, gemm, path);
}

function cells(line: string): string[] {
  const parts = line.split(',').map((s) => s.trim());
  // SCALE-Sim rows end with a comma; tolerate rows without one.
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

export function parseScaleSimTopology(text: string, gemm: boolean, file = '<topology>'): ScaleSimLayer[] {
  const problems: string[] = [];
  const layers: ScaleSimLayer[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    if (i === 0 || raw.trim() === '') return;
    const row = cells(raw);
    const want = gemm
      ? 'Layer, M, N, K'
      : 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides[, Stride W]';
    const nums = row.slice(1).map(Number);
    const count = gemm ? [3] : [7, 8];
    if (!count.includes(nums.length) || nums.some((n) => !Number.isInteger(n) || n < 1)) {
      problems.push(
        `${file}:${i + 1}: found "${raw.trim()}", allowed: ${want} with positive integers${gemm ? '' : ' (is this a GEMM topology? pass --gemm)'}`,
      );
      return;
    }
    const name = row[0] ?? `layer${i}`;
    if (gemm) {
      const [m, n, k] = nums as [number, number, number];
      layers.push({
        name,
        ifmapHeight: m,
        ifmapWidth: k,
        filterHeight: 1,
        filterWidth: k,
        channels: 1,
        numFilters: n,
        strideHeight: 1,
        strideWidth: 1,
      });
      return;
    }
    const [h, w, fh, fw, c, n, sh, sw] = nums as [number, number, number, number, number, number, number, number?];
    if (fh > h || fw > w) {
      problems.push(`${file}:${i + 1}: filter ${fh}x${fw} larger than the ifmap ${h}x${w}; allowed: filter <= ifmap`);
      return;
    }
    const base = {
      ifmapHeight: h,
      ifmapWidth: w,
      filterHeight: fh,
      filterWidth: fw,
      numFilters: n,
      strideHeight: sh,
      strideWidth: sw ?? sh,
    };
    // SCALE-Sim runs a depth-wise layer (name containing "DP") as one single-channel layer per channel.
    if (name.includes('DP'))
      for (let ch = 0; ch < c; ch++) layers.push({ ...base, name: `${name}Channel_${ch}`, channels: 1 });
    else layers.push({ ...base, name, channels: c });
  });
  if (layers.length === 0 && problems.length === 0)
    problems.push(`${file}: no layers found; allowed: a header line then one row per layer`);
  if (problems.length > 0) throw new ConfigError(problems);
  return layers;
}

/**
 * A Network from a chain of conv layers (each layer's channels equal the previous layer's filters and
 * its ifmap equals the previous ofmap), with a ReLU after each conv and a final linear classifier.
 * Throws a ConfigError naming the first layer that does not chain.
 */
export function scaleSimTopologyToNetwork(layers: readonly ScaleSimLayer[], name: string, classes = 10): Network {
  const first = layers[0];
  if (!first) throw new ConfigError([`${name}: empty topology`]);
  const out: Layer[] = [];
  let shape = [first.channels, first.ifmapHeight, first.ifmapWidth];
  for (const l of layers) {
    if (l.filterHeight !== l.filterWidth || l.strideHeight !== l.strideWidth || l.ifmapHeight !== l.ifmapWidth) {
      throw new ConfigError([
        `${name}: layer ${l.name} is not square (filter ${l.filterHeight}x${l.filterWidth}, stride ${l.strideHeight}x${l.strideWidth}); allowed: square layers; hint: simulate it with alrflow scalesim instead`,
      ]);
    }
    if (shape[0] !== l.channels || shape[1] !== l.ifmapHeight) {
      throw new ConfigError([
        `${name}: layer ${l.name} expects ${l.channels}x${l.ifmapHeight}x${l.ifmapWidth} but the previous layer gives ${shape.join('x')}; hint: only chained topologies become a Network`,
      ]);
    }
    out.push(
      {
        kind: 'conv2d',
        name: l.name,
        inChannels: l.channels,
        outChannels: l.numFilters,
        kernelSize: l.filterHeight,
        stride: l.strideHeight,
        padding: 0,
      },
      { kind: 'relu', name: `${l.name}_relu` },
    );
    const size = Math.floor((l.ifmapHeight - l.filterHeight) / l.strideHeight) + 1;
    shape = [l.numFilters, size, size];
  }
  out.push(
    { kind: 'flatten', name: 'flatten' },
    { kind: 'linear', name: 'fc', inFeatures: shape.reduce((a, b) => a * b, 1), outFeatures: classes },
  );
  return { name, inputShape: [first.channels, first.ifmapHeight, first.ifmapWidth], classes, layers: out };
}
