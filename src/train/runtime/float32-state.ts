// Parameters and optimizer state that a float32 kernel's update left (tfjs-wasm, gpu.js CPU modes), kept
// as those float32 arrays between steps: the next step's input ports read them as they are, and the
// runtime makes their float64 copies (its state, which checkpoints and callers read) only when something
// reads that state, not after every step (two float64 copies of every parameter per step before). Same
// values either way: a float32 value widens to float64 exactly. Not a kernel.
import { allFinite } from '../../../kernels/registry-checks.js';

export type StateRole = 'params' | 'optimizer-state';

export class Float32State {
  private readonly byRole: Record<StateRole, Map<string, Float32Array>> = {
    params: new Map(),
    'optimizer-state': new Map(),
  };

  get(role: StateRole, layer: string): Float32Array | undefined {
    return this.byRole[role].get(layer);
  }

  has(role: StateRole, layer: string): boolean {
    return this.byRole[role].has(layer);
  }

  set(role: StateRole, layer: string, values: Float32Array): void {
    this.byRole[role].set(layer, values);
  }

  delete(role: StateRole, layer: string): void {
    this.byRole[role].delete(layer);
  }

  /** Whether every kept parameter value is finite. */
  finiteParams(): boolean {
    return [...this.byRole.params.values()].every(allFinite);
  }

  /** The kept arrays of one role, by layer, forgotten here (the caller keeps their float64 copies). */
  take(role: StateRole): [string, Float32Array][] {
    const entries = [...this.byRole[role]];
    this.byRole[role].clear();
    return entries;
  }
}
