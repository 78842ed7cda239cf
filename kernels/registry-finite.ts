// The finiteness scans of the kernel argument checks (registry-checks.ts, registry-checks-graph.ts). Not a kernel.

// Finiteness scans, one function per array type so each stays monomorphic (a shared loop over the
// Float32Array | Float64Array | number[] union runs ~3x slower once it has seen all three), unrolled
// by 4. x * 0 is 0 for every finite x and NaN for +-Infinity and NaN, so the sum is 0 exactly when
// all are finite. On failure the reference validator runs again to name the first bad index.
export function allFinite32(a: Float32Array): boolean {
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0;
  const n4 = a.length & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    s0 += a[i]! * 0;
    s1 += a[i + 1]! * 0;
    s2 += a[i + 2]! * 0;
    s3 += a[i + 3]! * 0;
  }
  for (; i < a.length; i++) s0 += a[i]! * 0;
  return s0 + s1 + s2 + s3 === 0;
}

export function allFinite64(a: Float64Array): boolean {
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0;
  const n4 = a.length & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    s0 += a[i]! * 0;
    s1 += a[i + 1]! * 0;
    s2 += a[i + 2]! * 0;
    s3 += a[i + 3]! * 0;
  }
  for (; i < a.length; i++) s0 += a[i]! * 0;
  return s0 + s1 + s2 + s3 === 0;
}

/** Whether every value is finite (the unrolled scan the checks use). */
export function allFinite(a: Float32Array | Float64Array): boolean {
  return a instanceof Float32Array ? allFinite32(a) : allFinite64(a);
}
