// Typed arrays across the Node <-> page channel as base64 strings: playwright serialises a typed
// array through a per-byte String.fromCharCode loop on Node 20 (no Uint8Array.toBase64 there),
// which measured ~3 s for 4 MiB both ways; Node's Buffer and the page's native base64 are fast.
// Used on both sides (Node: browser-device.ts, page: device-page.ts). Not a transport itself.
type Typed = Float32Array | Float64Array | Int32Array | Uint32Array;
const KINDS = { f32: Float32Array, f64: Float64Array, i32: Int32Array, u32: Uint32Array } as const;
type Kind = keyof typeof KINDS;

export interface WireArray {
  $array: Kind;
  b64: string;
}

interface Base64Codec {
  encode(bytes: Uint8Array): string;
  /** A fresh array over a buffer of its own (offset 0, exact length), so it can be viewed as any kind. */
  decode(text: string): Uint8Array<ArrayBuffer>;
}

/** Node's Buffer, or the browser's Uint8Array.fromBase64/toBase64 (Chromium 140+), else atob/btoa. */
function codec(): Base64Codec {
  const g = globalThis as unknown as {
    Buffer?: {
      from(a: ArrayBufferLike | string, o?: number | string, l?: number): Uint8Array & { toString(e: string): string };
    };
  };
  const buffer = g.Buffer;
  if (buffer)
    return {
      encode: (b) => buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64'),
      decode: (t) => new Uint8Array(buffer.from(t, 'base64')),
    };
  const u8 = Uint8Array as unknown as {
    fromBase64?: (t: string) => Uint8Array<ArrayBuffer>;
    prototype: { toBase64?: () => string };
  };
  if (u8.fromBase64 && u8.prototype.toBase64)
    return { encode: (b) => (b as unknown as { toBase64(): string }).toBase64(), decode: (t) => u8.fromBase64!(t) };
  return {
    encode: (b) => btoa(Array.from(b, (c) => String.fromCharCode(c)).join('')),
    decode: (t) => Uint8Array.from(atob(t), (c) => c.charCodeAt(0)),
  };
}

const base64 = codec();

function kindOf(v: unknown): Kind | null {
  for (const [k, ctor] of Object.entries(KINDS)) if (v instanceof ctor) return k as Kind;
  return null;
}

export function isWireArray(v: unknown): v is WireArray {
  return typeof v === 'object' && v !== null && '$array' in v;
}

/** A typed array as a WireArray; anything else unchanged. */
export function encodeArray(v: unknown): unknown {
  const kind = kindOf(v);
  if (!kind) return v;
  const t = v as Typed;
  return { $array: kind, b64: base64.encode(new Uint8Array(t.buffer, t.byteOffset, t.byteLength)) } satisfies WireArray;
}

/** A WireArray back to its typed array (over the decoder's fresh buffer); anything else unchanged. */
export function decodeArray(v: unknown): unknown {
  if (!isWireArray(v)) return v;
  return new KINDS[v.$array](base64.decode(v.b64).buffer);
}

/** Encodes or decodes every field of a one-level object (kernel arguments and results). */
export function mapFields(v: unknown, f: (x: unknown) => unknown): unknown {
  if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v) || isWireArray(v) || '$handle' in v) return f(v);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, f(x)]));
}
