// The value each input port of a step graph starts a step with, from the run's state: held on the
// device where a resident step left it (device-state.ts), else the float32 arrays a float32 kernel's
// update left (float32-state.ts), else the host state (state-io.ts). Not a kernel.
import type { GraphPort } from '../../ir/types.js';
import type { DeviceState } from './device-state.js';
import type { EnvValue } from './exec-context.js';
import type { Float32State } from './float32-state.js';
import type { RuntimeState } from './state-io.js';
import { asInput, flatParams } from './step-outputs.js';
import type { Batch } from './step-types.js';

/** Where a run's state lives between steps. */
export interface HeldState {
  state: RuntimeState;
  onDevice: DeviceState;
  float32: Float32State;
}

/** The value an input port starts a step with (none for optimizer state before the first update). */
export function inputValue(port: GraphPort, batch: Batch, held: HeldState): EnvValue | undefined {
  const { state, onDevice, float32 } = held;
  const layer = port.layer ?? '';
  switch (port.role) {
    case 'batch':
      return batch.x;
    case 'params':
      return onDevice.get('params', layer) ?? float32.get('params', layer) ?? asInput(flatParams(state.params[layer]!));
    case 'optimizer-state': {
      const values = state.optimizerState.get(layer);
      const kept = float32.get('optimizer-state', layer);
      return onDevice.get('optimizer-state', layer) ?? kept ?? (values && asInput(values));
    }
    case 'sigma':
    case 'sigma-optimizer-state':
      return onDevice.get(port.role, layer) ?? state.sigma?.input(port.role, layer);
    case 'stale-gradient': {
      const late = state.pending?.gradients[layer];
      return onDevice.get('stale-gradient', layer) ?? (late && flatParams(late));
    }
    case 'stale-sigma-gradient':
      return onDevice.get('stale-sigma-gradient', layer) ?? state.pending?.sigmaGradients?.[layer];
    default:
      // The labels reach the Loss nodes as the batch's integers (ctx.labels).
      return undefined;
  }
}
