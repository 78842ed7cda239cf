// The memory guard of `alrflow probe`, like train's (memory-guard.ts): before any runtime is created,
// the largest step graph of the probe's runs (one per method and K) is counted at the runtime's bytes
// per float, plus the fixed overhead; a probe above 80% of the available memory is refused with exit 3
// instead of ending in an out-of-memory crash or a RangeError.
import { ResourceLimitError } from '../errors.js';
import { formatBytes } from '../hw/units.js';
import type { Method } from '../compiler/methods/names.js';
import type { StepSource } from '../compiler/step-source.js';
import { availableMemoryBytes, defaultMemoryShare, fixedOverheadBytes, graphRuntimeBytes } from './memory-guard.js';
import { GraphCache } from './runtime/graph-cache.js';
import type { MethodOptions } from './runtime/step-types.js';

/** The bytes the largest run of the probe holds: its step graph's tensors plus the fixed overhead. */
export function probeMemoryBytes(
  network: StepSource,
  runs: ReadonlyArray<MethodOptions>,
  batch: number,
): { bytes: number; run: MethodOptions } {
  let largest = { bytes: 0, run: runs[0]! };
  for (const run of runs) {
    const bytes = graphRuntimeBytes(new GraphCache(network, run, 'sgd').step(batch)) + fixedOverheadBytes;
    if (bytes > largest.bytes) largest = { bytes, run };
  }
  return largest;
}

/** Throws ResourceLimitError (exit 3) when the probe's largest run does not fit the memory available. */
export function guardProbeMemory(
  network: StepSource,
  runs: ReadonlyArray<MethodOptions>,
  batch: number,
  available = availableMemoryBytes(),
): void {
  const { bytes, run } = probeMemoryBytes(network, runs, batch);
  const limit = Math.floor(defaultMemoryShare * available);
  if (bytes <= limit) return;
  const what = `${(run.method as Method).toUpperCase()} with K=${run.copies}, batch ${batch}`;
  throw new ResourceLimitError(
    `probe: ${what} needs ${formatBytes(bytes)} (${bytes} bytes: its step graph counted at the runtime's bytes per float, plus ${formatBytes(fixedOverheadBytes)} fixed overhead) but ${100 * defaultMemoryShare}% of the ${formatBytes(available)} available is ${formatBytes(limit)}; nothing was run. Hint: lower --copies or --batch`,
  );
}
