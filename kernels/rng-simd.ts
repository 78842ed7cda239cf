// The integer half of rng.ts's generator (rng v2) on WebAssembly SIMD (4 pairs per i32x4 lane
// group): given a row's hash state, it writes the two uniform states s1 and s2 of every pair of units
// of the row (units 2q and 2q + 1 share pair q); Box-Muller stays outside (kernels/box-muller.ts, or
// noise-wasm.ts's copy of it), so the draws equal rng.ts's bit for bit.
// The module is a few hundred bytes assembled here (no toolchain): the round is rng.ts's packed form
// (s * M + A mod 2^24 by i32x4.mul, Feistel step, limb swap). When the engine lacks wasm SIMD,
// `rngSimd()` returns null and callers use rng.ts's scalar block generator. Not a kernel itself.

const M = 1443 * 4096 + 2533;
const A = 967 * 4096 + 2845;

// Opcodes (WebAssembly core + SIMD; SIMD opcodes follow the 0xfd prefix as unsigned LEB128).
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
export const simd = (op: number): number[] => [0xfd, ...uleb(op)];
const AND = simd(0x4e);
const OR = simd(0x50);
const SPLAT = simd(0x11);
const SHL = simd(0xab);
const SHR_U = simd(0xad);
const ADD = simd(0xae);
const MUL = simd(0xb5);

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

const i32 = (v: number): number[] => {
  const out: number[] = [];
  let n = v | 0;
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) return [...out, byte];
    out.push(byte | 0x80);
  }
};
export const i32Const = (v: number): number[] => [0x41, ...i32(v)];
const splatConst = (v: number): number[] => [...i32Const(v), ...SPLAT];
export const get = (l: number): number[] => [LOCAL_GET, l];
export const set = (l: number): number[] => [LOCAL_SET, l];
const shiftBy = (op: number[], bits: number): number[] => [...i32Const(bits), ...op];

// Locals: params 0 rowState, 1 vectors (pairs / 4, rounded up), 2 out1 ptr, 3 out2 ptr;
// 4 byte offset, 5 end offset (i32); 6 base, 7 pair vector, 8 s, 9 x, 10 h (v128).
const [ROW, VECS, OUT1, OUT2, OFF, END, BASE, W, S, X, H] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

/** One round on the v128 in local `l`: x = s*M + A mod 2^24; h = x >>> 12; s = ((x & 4095) + (h*h >>> 12)) & 4095) << 12 | h. */
function round(l: number): number[] {
  return [
    ...get(l),
    ...splatConst(M),
    ...MUL,
    ...splatConst(A),
    ...ADD,
    ...splatConst(0xffffff),
    ...AND,
    ...set(X),
    ...get(X),
    ...shiftBy(SHR_U, 12),
    ...set(H),
    ...get(X),
    ...splatConst(4095),
    ...AND,
    ...get(H),
    ...get(H),
    ...MUL,
    ...shiftBy(SHR_U, 12),
    ...ADD,
    ...splatConst(4095),
    ...AND,
    ...shiftBy(SHL, 12),
    ...get(H),
    ...OR,
    ...set(l),
  ];
}

const rounds = (l: number, n: number): number[] => Array.from({ length: n }, () => round(l)).flat();

/** The v128 in S stored at outPtr + offset. */
const storeState = (outPtr: number): number[] => [
  ...get(outPtr),
  ...get(OFF),
  0x6a,
  ...get(S),
  ...simd(0x0b),
  0x04,
  0x00,
];

/** One 12-bit limb of BASE + W: the high limb (shifted back into place) or the low one. */
function limbAdd(shiftOut: boolean): number[] {
  if (shiftOut)
    return [
      ...get(BASE),
      ...shiftBy(SHR_U, 12),
      ...get(W),
      ...shiftBy(SHR_U, 12),
      ...ADD,
      ...splatConst(4095),
      ...AND,
      ...shiftBy(SHL, 12),
    ];
  return [
    ...get(BASE),
    ...splatConst(4095),
    ...AND,
    ...get(W),
    ...splatConst(4095),
    ...AND,
    ...ADD,
    ...splatConst(4095),
    ...AND,
  ];
}

/** One loop iteration: four pairs' states absorbed (2 rounds), s1 (2 more), s2 (3 more), then W += 4 and off += 16. */
function loopIteration(): number[] {
  return [
    ...limbAdd(true),
    ...limbAdd(false),
    ...OR,
    ...set(S),
    ...rounds(S, 4),
    ...storeState(OUT1),
    ...rounds(S, 3),
    ...storeState(OUT2),
    ...get(W),
    ...splatConst(4),
    ...ADD,
    ...set(W),
    ...get(OFF),
    ...i32Const(16),
    0x6a,
    0x22,
    OFF,
  ];
}

/** The hash function's body (locals and code): run(rowState, vectors, out1 ptr, out2 ptr), also reused by noise-wasm.ts. */
export function hashBody(): number[] {
  return [
    0x02,
    0x02,
    0x7f,
    0x05,
    0x7b, // locals: 2 x i32, 5 x v128
    ...get(ROW),
    ...SPLAT,
    ...set(BASE),
    ...simd(0x0c),
    ...[0, 1, 2, 3].flatMap((v) => [v, 0, 0, 0]),
    ...set(W),
    ...get(VECS),
    ...i32Const(4),
    0x74,
    ...set(END),
    0x03,
    0x40, // loop
    ...loopIteration(),
    ...get(END),
    0x49,
    0x0d,
    0x00, // off += 16; br_if off < end
    0x0b,
    0x0b, // end loop, end function
  ];
}

export function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

function moduleBytes(): Uint8Array {
  const name = (s: string): number[] => [s.length, ...Array.from(s, (c) => c.charCodeAt(0))];
  const code = hashBody();
  return Uint8Array.from([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, [0x01, 0x60, 0x04, 0x7f, 0x7f, 0x7f, 0x7f, 0x00]),
    ...section(3, [0x01, 0x00]),
    ...section(5, [0x01, 0x00, 0x01]),
    ...section(7, [0x02, ...name('run'), 0x00, 0x00, ...name('mem'), 0x02, 0x00]),
    ...section(10, [0x01, ...uleb(code.length), ...code]),
  ]);
}

export interface RngSimd {
  /**
   * For the pairs 0..ceil(units / 2)-1 of the row whose hash state is `rowState`: the uniform states
   * s1 and s2 of each pair (24-bit integers), as views valid until the next call.
   */
  row(rowState: number, units: number): { s1: Int32Array; s2: Int32Array };
}

let instance: RngSimd | null | undefined;

/** The slice of the WebAssembly JS API used here (tsconfig has no DOM lib, so it is typed locally). */
export interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => {
    exports: { run: (row: number, vecs: number, p1: number, p2: number) => void; mem: WasmMemory };
  };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The SIMD generator, or null when this engine has no wasm SIMD (compiled once per process). */
export function rngSimd(): RngSimd | null {
  if (instance !== undefined) return instance;
  const bytes = moduleBytes();
  if (!wasm.validate(bytes)) return (instance = null);
  const { exports } = new wasm.Instance(new wasm.Module(bytes));
  // Views over the module's memory, made again only when the row length or the memory changes: a
  // step draws thousands of rows of one length, and two views per row were a measurable share.
  let views = { units: -1, buffer: exports.mem.buffer, s1: new Int32Array(0), s2: new Int32Array(0) };
  instance = {
    row(rowState, units) {
      const pairs = Math.ceil(units / 2);
      const vecs = Math.ceil(pairs / 4);
      const bytesPerPlane = vecs * 16;
      const needPages = Math.ceil((2 * bytesPerPlane) / 65536) - exports.mem.buffer.byteLength / 65536;
      if (needPages > 0) exports.mem.grow(needPages);
      exports.run(rowState, vecs, 0, bytesPerPlane);
      if (views.units !== units || views.buffer !== exports.mem.buffer) {
        const buffer = exports.mem.buffer;
        views = {
          units,
          buffer,
          s1: new Int32Array(buffer, 0, pairs),
          s2: new Int32Array(buffer, bytesPerPlane, pairs),
        };
      }
      return views;
    },
  };
  return instance;
}
