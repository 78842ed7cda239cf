// Warnings for hardware models that are legal but suspicious, each with its JSON path: an on-chip
// level too small to hold one tile of the compute units it feeds (one rows x cols block of words
// for a systolic array, one word per lane for a vector unit), which no schema rule refuses but which
// leaves the level useless to the mapping. Warnings never fail a load; `hw check` prints them.
import { formatBytes } from './units.js';
import type { HwModel } from './types.js';
import type { HwProblem } from './to-hw-model.js';

interface Tile {
  bytes: number;
  what: string;
}

/** The largest single tile any compute unit of a core needs held at once. */
function largestTile(model: HwModel): Tile | undefined {
  const w = model.wordBytes;
  const tiles: Tile[] = [
    ...model.cores.systolic.map((a) => ({
      bytes: a.rows * a.cols * w,
      what: `one ${a.rows}x${a.cols} tile of ${w}-byte words for array "${a.name}"`,
    })),
    ...model.cores.vector.map((v) => ({
      bytes: v.lanes * w,
      what: `one ${w}-byte word per lane for the ${v.lanes}-lane vector unit "${v.name}"`,
    })),
  ];
  return tiles.sort((a, b) => b.bytes - a.bytes)[0];
}

export function hwWarnings(model: HwModel): HwProblem[] {
  const tile = largestTile(model);
  if (tile === undefined) return [];
  return model.memory.slice(0, -1).flatMap((level, i): HwProblem[] => {
    if (level.capacityBytes >= tile.bytes) return [];
    return [
      {
        path: `memory[${i}].capacity`,
        message: `"${level.name}" holds ${formatBytes(level.capacityBytes)}, less than ${tile.what} (${formatBytes(tile.bytes)}); legal, but no tile fits there, so the mapping cannot keep operands on this level`,
      },
    ];
  });
}
