// Constant buffers of a run whose step state stays on the device (zeros, ones, a fixed sigma per
// channel) made there by a fill, and index maps uploaded once, on first use and kept until the run
// ends, so no kernel call uploads them. Not a kernel.
import type { DeviceOps } from '../../../kernels/device-ops.js';
import type { DeviceTensor } from '../../../kernels/device-tensor.js';

/**
 * Constant buffers (zeros, ones, a fixed sigma per channel) made on the device by a fill and kept for
 * the run, so no kernel call uploads them: by (length, value).
 */
export class DeviceConstants {
  private readonly held = new Map<string, Promise<DeviceTensor>>();

  /** `keep` takes a new buffer out of the step's handle tracking. */
  constructor(private readonly keep: (handle: DeviceTensor) => void) {}

  get(ops: DeviceOps, length: number, value: number): Promise<DeviceTensor> {
    const k = `${length}\u0000${value}`;
    let hit = this.held.get(k);
    if (!hit) {
      hit = ops.fill(length, value).then((h) => (this.keep(h), h));
      this.held.set(k, hit);
    }
    return hit;
  }

  /** A host array (an index map) uploaded once under `key` and kept. */
  array(ops: DeviceOps, key: string, make: () => Int32Array | Float64Array): Promise<DeviceTensor> {
    const k = `array\u0000${key}`;
    let hit = this.held.get(k);
    if (!hit) {
      const values = Float32Array.from(make());
      hit = ops.slice(values, 0, values.length).then((h) => (this.keep(h), h));
      this.held.set(k, hit);
    }
    return hit;
  }

  async clear(): Promise<void> {
    for (const h of this.held.values()) (await h).dispose();
    this.held.clear();
  }
}
