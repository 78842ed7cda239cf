// The host state brought up to the device's after resident steps (a checkpoint reads it): each held
// buffer (device-state.ts) downloaded into the run's parameters, optimizer state, pending stale gradients
// or learned sigma. Not a kernel.
import type { DeviceState, StateRole } from './device-state.js';
import type { RuntimeState } from './state-io.js';
import { paramsOfBuffer, splitLayer } from './step-outputs.js';

/** Copies every buffer `onDevice` holds into `state`; `layerWeights` gives a layer's weights count. */
export async function syncFromDevice(
  onDevice: DeviceState,
  state: RuntimeState,
  layerWeights: (layer: string) => number,
): Promise<void> {
  const sigma = new Map<StateRole, Map<string, Float64Array>>([
    ['sigma', new Map()],
    ['sigma-optimizer-state', new Map()],
  ]);
  for (const { role, layer, values } of await onDevice.download()) {
    const flat = Float64Array.from(values);
    if (sigma.has(role)) {
      sigma.get(role)!.set(layer, flat);
      continue;
    }
    if (role === 'stale-gradient') {
      state.pending ??= { gradients: {} };
      state.pending.gradients[layer] = splitLayer(flat, layerWeights(layer));
      continue;
    }
    if (role === 'stale-sigma-gradient') {
      state.pending ??= { gradients: {} };
      state.pending.sigmaGradients = { ...state.pending.sigmaGradients, [layer]: flat };
      continue;
    }
    if (role === 'optimizer-state') {
      state.optimizerState.set(layer, flat);
      continue;
    }
    state.params[layer] = paramsOfBuffer(flat, layerWeights(layer));
  }
  if (state.sigma && sigma.get('sigma')!.size > 0)
    state.sigma.accept(sigma.get('sigma')!, sigma.get('sigma-optimizer-state')!);
  onDevice.stale = false;
}
