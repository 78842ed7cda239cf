// Host noise-inject rows in one WebAssembly call: rng-simd.ts's SIMD hash gives the two uniform
// states of each pair of units of a row, then per pair Box-Muller (one radius, both branches: rng v2) (box-muller.ts's operations in the same order on the same
// float64 tables, copied into the module's memory), out = z + sigma * eps rounded once to float32,
// and optionally the sign bits of eps packed 32 to a word. Every step is an IEEE float64 operation
// that JS performs identically (multiply, add, subtract, sqrt, int <-> float conversions; no fused
// multiply-add), so the values equal normalAt's bit for bit (test/unit/kernels-host-noise.test.ts).
// z may hold fewer rows than the output: output row r reads z row floor(r / copies), so a
// copy-invariant input needs no K-times repeated copy. The module is assembled here (no toolchain),
// like rng-simd.ts, whose hash function it contains as function 0.
import { boxMullerTables } from './box-muller.js';
import { get, hashBody, i32Const, section, set, simd, uleb, type WasmMemory } from './rng-simd.js';

// Memory layout: float64 pairs (cos, sin) by the state's high limb, then by its low limb, then
// (ln(j / 4096), 1 / j) by j - 2048, then (2^(11 - e), (e - 24) ln 2) by e; the data after them.
const HI = 0;
const LO = 65536;
const LN = 131072;
const EXP = 163840;
const DATA = 196608;
const PAGE = 65536;

// Parameters of `inject` (all i32), then its i32 and f64 locals.
const [ROWS, UNITS, STATES, Z, FIRST, COPIES, ZFIRST, ZF32, SIGMA, OUT, SIGNS, S1, S2] = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
];
const [R, U, ZROW, OROW, BITS, W, E, J, T, WORD] = [13, 14, 15, 16, 17, 18, 19, 20, 21, 22];
const [Q, X, EPS, RAD, SN] = [23, 24, 25, 26, 27];
/** inject's v128 local. */
const V = 28;

const op = {
  add: 0x6a,
  sub: 0x6b,
  mul: 0x6c,
  divU: 0x6e,
  and: 0x71,
  or: 0x72,
  shl: 0x74,
  shrU: 0x76,
  clz: 0x67,
  eq: 0x46,
  ltU: 0x49,
  fAdd: 0xa0,
  fSub: 0xa1,
  fMul: 0xa2,
  fSqrt: 0x9f,
  fGe: 0x66,
  truncS: 0xaa,
  fromS: 0xb7,
  fromU: 0xb8,
  demote: 0xb6,
  promote: 0xbb,
};
const f64Const = (v: number): number[] => [0x44, ...new Uint8Array(Float64Array.of(v).buffer)];
const f64Load = (offset: number): number[] => [0x2b, 3, ...uleb(offset)];
const i32Load = [0x28, 2, 0];
/** `local[l] << bits` added to `local[base]`: a byte address. */
const address = (base: number, l: number, bits: number): number[] => [
  ...get(base),
  ...get(l),
  ...i32Const(bits),
  op.shl,
  op.add,
];

/** ln((s + 0.5) / 2^24) of s = S1[U / 2] (U even), as box-muller.ts's lnUniform computes it; leaves it on the stack. */
function lnUniform(): number[] {
  return [
    ...address(S1, U, 1),
    ...i32Load,
    ...i32Const(1),
    op.shl,
    ...i32Const(1),
    op.add,
    ...set(W),
    ...i32Const(31),
    ...get(W),
    op.clz,
    op.sub,
    ...i32Const(4),
    op.shl,
    ...set(E), // e * 16: the byte offset of e's pair
    ...get(W),
    op.fromU,
    ...get(E),
    ...f64Load(EXP),
    op.fMul,
    0x22,
    Q, // q = w * 2^(11 - e), teed
    op.truncS,
    ...set(J),
    ...get(Q),
    ...get(J),
    op.fromS,
    op.fSub,
    ...get(J),
    ...i32Const(4),
    op.shl,
    ...set(J), // j * 16: its pair lies at LN + (j - 2048) * 16
    ...get(J),
    ...f64Load(LN - 2048 * 16 + 8),
    op.fMul,
    ...set(X), // r = (q - j) / j by the table's 1 / j
    ...get(E),
    ...f64Load(EXP + 8),
    ...get(J),
    ...f64Load(LN - 2048 * 16),
    op.fAdd,
    ...log1p(),
    op.fAdd,
  ];
}

/** r * (1 - r * (0.5 - r * (1/3 - r * (0.25 - r * 0.2)))) of r = X. */
function log1p(): number[] {
  const terms = [1, 0.5, 1 / 3, 0.25, 0.2].flatMap((c) => [...get(X), ...f64Const(c)]);
  return [...terms, op.fMul, ...[0, 1, 2, 3].flatMap(() => [op.fSub, op.fMul])];
}

/** W and T = the byte offsets of s = S2[U / 2]'s high and low limbs' (cos, sin) table pairs (U even). */
function trigLimbs(): number[] {
  return [
    ...address(S2, U, 1),
    ...i32Load,
    0x22,
    T,
    ...i32Const(12),
    op.shrU,
    ...i32Const(4),
    op.shl,
    ...set(W),
    ...get(T),
    ...i32Const(4095),
    op.and,
    ...i32Const(4),
    op.shl,
    ...set(T),
  ];
}

/** cos(2 pi u2) = cosHi cosLo - sinHi sinLo (box-muller.ts's cosUniform), left on the stack. */
const cosUniform = (): number[] => [
  ...[...get(W), ...f64Load(HI), ...get(T), ...f64Load(LO), op.fMul],
  ...[...get(W), ...f64Load(HI + 8), ...get(T), ...f64Load(LO + 8), op.fMul, op.fSub],
];

/** sin(2 pi u2) = sinHi cosLo + cosHi sinLo (box-muller.ts's sinUniform), left on the stack. */
const sinUniform = (): number[] => [
  ...[...get(W), ...f64Load(HI + 8), ...get(T), ...f64Load(LO), op.fMul],
  ...[...get(W), ...f64Load(HI), ...get(T), ...f64Load(LO + 8), op.fMul, op.fAdd],
];

/** Pair U / 2: RAD = sqrt(-2 ln u1), and W, T at its angle's table pairs. */
const radiusAndLimbs = (): number[] => [
  ...f64Const(-2),
  ...lnUniform(),
  op.fMul,
  op.fSqrt,
  ...set(RAD),
  ...trigLimbs(),
];

/** Pair U / 2: RAD = sqrt(-2 ln u1), EPS = RAD cos(2 pi u2) (unit U), SN = RAD sin(2 pi u2) (unit U + 1). */
function boxMullerPair(): number[] {
  return [
    ...radiusAndLimbs(),
    ...[...get(RAD), ...cosUniform(), op.fMul, ...set(EPS)],
    ...[...get(RAD), ...sinUniform(), op.fMul, ...set(SN)],
  ];
}

/** out[U] = f32(z[U] + sigma[U] * eps), z read as float32 or float64 by ZF32. */
function storeNoisy(): number[] {
  return [
    ...address(OROW, U, 2),
    ...get(ZF32),
    0x04,
    0x7c, // if (result f64)
    ...address(ZROW, U, 2),
    0x2a,
    2,
    0,
    op.promote,
    0x05,
    ...address(ZROW, U, 3),
    ...f64Load(0),
    0x0b,
    ...address(SIGMA, U, 3),
    ...f64Load(0),
    ...get(EPS),
    op.fMul,
    op.fAdd,
    op.demote,
    0x38,
    2,
    0,
  ];
}

/** When SIGNS is set: bit U of BITS = eps >= 0, and every 32nd unit stores the word at WORD (then WORD += 4). */
function packSign(): number[] {
  const storeWord = [...get(WORD), ...get(BITS), 0x36, 2, 0, ...get(WORD), ...i32Const(4), op.add, ...set(WORD)];
  return [
    ...get(SIGNS),
    0x04,
    0x40,
    ...[...get(BITS), ...get(EPS), ...f64Const(0), op.fGe, ...get(U), op.shl, op.or, ...set(BITS)],
    ...[...get(U), ...i32Const(31), op.and, ...i32Const(31), op.eq],
    ...[0x04, 0x40, ...storeWord, ...i32Const(0), ...set(BITS), 0x0b],
    0x0b,
  ];
}

/** Before a row's units: the hash of row R's pairs into S1/S2, z's row address (row floor((FIRST + R) / COPIES) - ZFIRST) and out's. */
function rowStart(): number[] {
  return [
    ...address(STATES, R, 2),
    ...i32Load,
    ...[...get(UNITS), ...i32Const(7), op.add, ...i32Const(3), op.shrU, ...get(S1), ...get(S2), 0x10, 0],
    ...[...get(Z), ...get(FIRST), ...get(R), op.add, ...get(COPIES), op.divU, ...get(ZFIRST), op.sub],
    ...[...get(UNITS), op.mul, ...i32Const(3), ...get(ZF32), op.sub, op.shl, op.add, ...set(ZROW)],
    ...[...get(OUT), ...get(R), ...get(UNITS), op.mul, ...i32Const(2), op.shl, op.add, ...set(OROW)],
    ...[...i32Const(0), ...set(U), ...i32Const(0), ...set(BITS)],
  ];
}

const increment = (l: number, bound: number): number[] => [
  ...get(l),
  ...i32Const(1),
  op.add,
  0x22,
  l,
  ...get(bound),
  op.ltU,
  0x0d,
  0,
];

const v128Load = (offset: number): number[] => [...simd(0x00), 0, ...uleb(offset)];
const f64x2 = { splat: simd(0x14), add: simd(0xf0), mul: simd(0xf2), ge: simd(0x4c) };
const v128Const = (a: number, b: number): number[] => [...simd(0x0c), ...new Uint8Array(Float64Array.of(a, b).buffer)];
/** i8x16.shuffle that swaps the two 64-bit halves. */
const swapHalves = [...simd(0x0d), 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7];

/**
 * V = RAD * (cos, sin) of pair U / 2 as f64x2: (cosHi, sinHi) (cosLo, cosLo) + (sinHi, cosHi) (sinLo, sinLo) (-1, 1),
 * lane by lane the operations of cosUniform and sinUniform (a + (-b) is a - b in IEEE arithmetic), times RAD.
 */
function pairEps(): number[] {
  const lo = (offset: number): number[] => [...get(T), ...f64Load(LO + offset), ...f64x2.splat];
  return [
    ...[...get(W), ...v128Load(HI), 0x22, V, ...lo(0), ...f64x2.mul],
    ...[...get(V), ...get(V), ...swapHalves, ...lo(8), ...f64x2.mul, ...v128Const(-1, 1), ...f64x2.mul, ...f64x2.add],
    ...[...get(RAD), ...f64x2.splat, ...f64x2.mul, ...set(V)],
  ];
}

/**
 * Units U and U + 1 at once (U + 1 < UNITS): out = f32(z + sigma * V) for both, the two sign bits, U += 2.
 * The same IEEE operations per lane as storeNoisy and packSign per unit.
 */
function vectorPair(): number[] {
  const z = [...get(ZF32), 0x04, 0x7b, ...address(ZROW, U, 2), ...simd(0x5d), 0, 0, ...simd(0x5f), 0x05];
  const zWide = [...address(ZROW, U, 3), ...v128Load(0), 0x0b];
  const noisy = [...address(SIGMA, U, 3), ...v128Load(0), ...get(V), ...f64x2.mul, ...f64x2.add, ...simd(0x5e)];
  const store = [...address(OROW, U, 2), ...z, ...zWide, ...noisy, ...simd(0x5b), 0, 0, 0];
  const storeWord = [...get(WORD), ...get(BITS), 0x36, 2, 0, ...get(WORD), ...i32Const(4), op.add, ...set(WORD)];
  const bits = [...get(V), ...v128Const(0, 0), ...f64x2.ge, ...simd(0xc4), ...get(U), op.shl, ...get(BITS), op.or];
  const word = [...get(U), ...i32Const(31), op.and, ...i32Const(30), op.eq];
  const signs = [...get(SIGNS), 0x04, 0x40, ...bits, ...set(BITS), ...word, 0x04, 0x40, ...storeWord];
  const nextPair = [...get(U), ...i32Const(2), op.add, ...set(U)];
  return [...pairEps(), ...store, ...signs, ...i32Const(0), ...set(BITS), 0x0b, 0x0b, ...nextPair];
}

/** U += 1. */
const nextUnit = [...get(U), ...i32Const(1), op.add, ...set(U)];

/**
 * The loop over a row's pairs: `perUnit` (which reads EPS and U) for unit U with the cosine branch,
 * then, when U + 1 < UNITS, for unit U + 1 with the sine branch.
 */
function pairLoop(perUnit: number[]): number[] {
  const unitsLeft = [...get(U), ...get(UNITS), op.ltU];
  const sineUnit = [...get(SN), ...set(EPS), ...perUnit, ...nextUnit];
  return [0x03, 0x40, ...boxMullerPair(), ...perUnit, ...nextUnit, ...unitsLeft, 0x04, 0x40, ...sineUnit, 0x0b];
}

function injectBody(): number[] {
  const pairOrLast = [...get(U), ...i32Const(1), op.add, ...get(UNITS), op.ltU, 0x04, 0x40, ...vectorPair(), 0x05];
  const lastUnit = [...get(RAD), ...cosUniform(), op.fMul, ...set(EPS), ...storeNoisy(), ...packSign(), ...nextUnit];
  const unitsLeft = [...get(U), ...get(UNITS), op.ltU, 0x0d, 0];
  const unitLoop = [0x03, 0x40, ...radiusAndLimbs(), ...pairOrLast, ...lastUnit, 0x0b, ...unitsLeft, 0x0b];
  const rowLoop = [0x03, 0x40, ...rowStart(), ...unitLoop, ...increment(R, ROWS), 0x0b];
  return [0x03, 10, 0x7f, 5, 0x7c, 1, 0x7b, ...get(SIGNS), ...set(WORD), ...rowLoop, 0x0b];
}

/** normals(units, ..., s1 ptr, s2 ptr) with inject's parameters: eps of every unit from pairs S1[u / 2], S2[u / 2] as float64 at OUT (for tests). */
function normalsBody(): number[] {
  const store = [...address(OUT, U, 3), ...get(EPS), 0x39, 3, 0];
  const unitLoop = [...pairLoop(store), ...get(U), ...get(UNITS), op.ltU, 0x0d, 0, 0x0b];
  return [0x02, 10, 0x7f, 5, 0x7c, ...unitLoop, 0x0b];
}

function moduleBytes(): Uint8Array {
  const name = (s: string): number[] => [s.length, ...Array.from(s, (c) => c.charCodeAt(0))];
  const bodies = [hashBody(), injectBody(), normalsBody()];
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [0x02, 0x60, 0x04, 0x7f, 0x7f, 0x7f, 0x7f, 0x00, 0x60, 13, ...Array(13).fill(0x7f), 0x00]),
    ...section(3, [0x03, 0x00, 0x01, 0x01]),
    ...section(5, [0x01, 0x00, DATA / PAGE]),
    ...section(7, [0x03, ...name('inject'), 0x00, 0x01, ...name('normals'), 0x00, 0x02, ...name('mem'), 0x02, 0x00]),
    ...section(10, [0x03, ...bodies.flatMap((b) => [...uleb(b.length), ...b])]),
  ]);
}

type InjectFn = (...args: number[]) => void;
interface Instance {
  exports: { inject: InjectFn; normals: InjectFn; mem: WasmMemory };
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => Instance;
}

/** The module's tables written into its memory. */
function writeTables(mem: WasmMemory): void {
  const t = boxMullerTables;
  const f = new Float64Array(mem.buffer, 0, DATA / 8);
  for (let i = 0; i < 4096; i++) {
    f.set([t.cosHi[i]!, t.sinHi[i]!], (HI + 16 * i) / 8);
    f.set([t.cosLo[i]!, t.sinLo[i]!], (LO + 16 * i) / 8);
  }
  for (let i = 0; i < 2048; i++) f.set([t.lnMantissa[i]!, t.inverse[i]!], (LN + 16 * i) / 8);
  for (let e = 0; e < 25; e++) f.set([t.scale[e]!, t.lnExponent[e]!], (EXP + 16 * e) / 8);
}

let instance: Instance | null | undefined;

/** The compiled module with its tables written, or null without wasm SIMD (once per thread). */
export function noiseWasm(): Instance | null {
  if (instance !== undefined) return instance;
  const api = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  const bytes = moduleBytes();
  if (!api.validate(bytes)) return (instance = null);
  instance = new api.Instance(new api.Module(bytes));
  writeTables(instance.exports.mem);
  return instance;
}

/** Where a call's arrays lie in the module's memory (bytes), for `units` per row and `chunk` rows per call. */
function layout(units: number, chunk: number, zValues: number, zBytes: number) {
  const align = (n: number): number => Math.ceil(n / 16) * 16;
  const plane = align(units * 4);
  const s2 = DATA + plane;
  const sigma = s2 + plane;
  const states = sigma + align(units * 8);
  const out = states + align(chunk * 4);
  const signs = out + align(chunk * units * 4);
  const z = signs + align(Math.ceil((chunk * units) / 32) * 4);
  return { s1: DATA, s2, sigma, states, out, signs, z, end: z + zValues * zBytes };
}

/** The module's memory grown to at least `bytes`. */
function reserve(mem: WasmMemory, bytes: number): ArrayBuffer {
  const pages = Math.ceil(bytes / PAGE) - mem.buffer.byteLength / PAGE;
  if (pages > 0) mem.grow(pages);
  return mem.buffer;
}

/** Output values per wasm call: 64 KiB of float32, so a chunk's output is still in cache when copied out. */
const CHUNK_VALUES = 16384;

export interface WasmRows {
  /** Units per row, z (rows / copies rows of them, or rows when copies is 1) and sigma per unit. */
  units: number;
  z: Float32Array | Float64Array;
  copies: number;
  sigma: Float64Array;
  /** The hash state of row r of the call (rng.ts's rowHashState). */
  rowState: (r: number) => number;
}

/**
 * Rows [r0, r1) of a noise-inject call into `out` (and `signs`, whole words: units a multiple of 32),
 * both indexed as for the whole call; output row r adds z row floor(r / copies).
 */
export function wasmInjectRows(
  m: Instance,
  a: WasmRows,
  r0: number,
  r1: number,
  out: Float32Array,
  signs: Uint32Array | null,
): void {
  const { units, z, copies } = a;
  const chunk = Math.max(1, Math.min(r1 - r0, Math.floor(CHUNK_VALUES / units)));
  const [z0, z1] = [Math.floor(r0 / copies), Math.floor((r1 - 1) / copies) + 1];
  const zf32 = z instanceof Float32Array ? 1 : 0;
  const at = layout(units, chunk, (z1 - z0) * units, zf32 ? 4 : 8);
  const buffer = reserve(m.exports.mem, at.end);
  const zView = zf32
    ? new Float32Array(buffer, at.z, (z1 - z0) * units)
    : new Float64Array(buffer, at.z, (z1 - z0) * units);
  zView.set(z.subarray(z0 * units, z1 * units));
  new Float64Array(buffer, at.sigma, units).set(a.sigma.subarray(0, units));
  const states = new Int32Array(buffer, at.states, chunk);
  const outView = new Float32Array(buffer, at.out, chunk * units);
  const signView = new Uint32Array(buffer, at.signs, (chunk * units) >>> 5);
  for (let r = r0; r < r1; r += chunk) {
    const n = Math.min(chunk, r1 - r);
    for (let i = 0; i < n; i++) states[i] = a.rowState(r + i);
    const signsAt = signs === null ? 0 : at.signs;
    m.exports.inject(n, units, at.states, at.z, r, copies, z0, zf32, at.sigma, at.out, signsAt, at.s1, at.s2);
    out.set(n === chunk ? outView : outView.subarray(0, n * units), r * units);
    if (signs !== null) signs.set(signView.subarray(0, (n * units) >>> 5), (r * units) >>> 5);
  }
}

/**
 * Box-Muller of each pair (s1[q], s2[q]) of 24-bit states in the module, as float64: the cosine and
 * sine branches at 2q and 2q + 1 (normalFromStates' values with branch 0 and 1; for tests).
 */
export function wasmNormals(m: Instance, s1: Int32Array, s2: Int32Array): Float64Array {
  const n = s1.length;
  const at = { s1: DATA, s2: DATA + n * 4, out: DATA + n * 8 };
  const buffer = reserve(m.exports.mem, at.out + n * 16);
  new Int32Array(buffer, at.s1, n).set(s1);
  new Int32Array(buffer, at.s2, n).set(s2);
  m.exports.normals(0, 2 * n, 0, 0, 0, 0, 0, 0, 0, at.out, 0, at.s1, at.s2);
  return new Float64Array(buffer, at.out, 2 * n).slice();
}
