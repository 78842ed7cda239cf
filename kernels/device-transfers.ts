// Host <-> device transfers counted by a kernel backend whose device memory is not the host's
// (gpu.js headlessgl, webgl2, webgpu): every host array a kernel call reads is an upload (gpu.js
// copies it into a texture or buffer per call), every result read back to the host is a download
// (a non-pipeline result, or a handle's download()). Scalars travel as uniforms and are not counted.
// Host backends (reference, webasm, cpu) have nothing to count. Not a kernel.

export interface TransferCounts {
  count: number;
  bytes: number;
}

export interface DeviceTransfers {
  uploads: TransferCounts;
  downloads: TransferCounts;
}

export class TransferCounter {
  private readonly totals: DeviceTransfers = { uploads: { count: 0, bytes: 0 }, downloads: { count: 0, bytes: 0 } };

  upload(bytes: number): void {
    this.totals.uploads.count++;
    this.totals.uploads.bytes += bytes;
  }

  download(bytes: number): void {
    this.totals.downloads.count++;
    this.totals.downloads.bytes += bytes;
  }

  /** Counts an upload for every host array among a kernel call's arguments. */
  uploadArgs(args: readonly unknown[]): void {
    for (const a of args) if (ArrayBuffer.isView(a)) this.upload(a.byteLength);
  }

  snapshot(): DeviceTransfers {
    return { uploads: { ...this.totals.uploads }, downloads: { ...this.totals.downloads } };
  }
}

/** The transfers between two snapshots, per step over `steps` steps. */
export function transfersPerStep(start: DeviceTransfers, end: DeviceTransfers, steps: number): DeviceTransfers {
  const per = (a: TransferCounts, b: TransferCounts): TransferCounts => ({
    count: (b.count - a.count) / steps,
    bytes: (b.bytes - a.bytes) / steps,
  });
  return { uploads: per(start.uploads, end.uploads), downloads: per(start.downloads, end.downloads) };
}

/** Nothing moved. */
export const NO_TRANSFERS: DeviceTransfers = { uploads: { count: 0, bytes: 0 }, downloads: { count: 0, bytes: 0 } };

/**
 * `total` plus what moved between two snapshots (one step's transfers, evaluations between steps
 * left out); undefined where the backend counts nothing.
 */
export function addTransfers(
  total: DeviceTransfers | undefined,
  start: DeviceTransfers | undefined,
  end: DeviceTransfers | undefined,
): DeviceTransfers | undefined {
  if (!start || !end) return total;
  const base = total ?? NO_TRANSFERS;
  const plus = (t: TransferCounts, a: TransferCounts, b: TransferCounts): TransferCounts => ({
    count: t.count + b.count - a.count,
    bytes: t.bytes + b.bytes - a.bytes,
  });
  return {
    uploads: plus(base.uploads, start.uploads, end.uploads),
    downloads: plus(base.downloads, start.downloads, end.downloads),
  };
}
