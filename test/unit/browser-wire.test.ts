// The browser backends' channel pieces that need no browser: typed arrays survive the base64 wire
// format exactly (every kind, views at an offset, empty arrays), handles and plain values pass
// through untouched, and `auto` probes the browser backends only when asked to.
import { expect, test } from 'vitest';
import { decodeArray, encodeArray, mapFields } from '../../kernels/browser/wire-arrays.js';
import { BACKEND_NAMES } from '../../kernels/names.js';
import { autoCandidates } from '../../kernels/registry.js';

test('every typed-array kind round-trips bit for bit, views at an offset included', () => {
  const base = new Float64Array([0, -0, 1.5, Number.MIN_VALUE, -Infinity, NaN, 2 ** 53]);
  const cases = [
    base,
    new Float32Array([1e-45, -3.4e38, 0.1]),
    new Int32Array([-(2 ** 31), 7]),
    new Uint32Array([2 ** 32 - 1, 0]),
    new Float32Array(0),
    new Float64Array(base.buffer, 16, 3),
  ];
  for (const a of cases) {
    const back = decodeArray(JSON.parse(JSON.stringify(encodeArray(a)))) as typeof a;
    expect(back.constructor).toBe(a.constructor);
    expect(new Uint8Array(back.buffer, back.byteOffset, back.byteLength)).toEqual(
      new Uint8Array(a.buffer, a.byteOffset, a.byteLength),
    );
  }
});

test('fields of a kernel argument object are mapped; handles and numbers pass unchanged', () => {
  const args = { a: Float32Array.of(1, 2), h: { $handle: 3, length: 2 }, m: 4 };
  const wired = mapFields(args, encodeArray) as Record<string, unknown>;
  expect(wired['h']).toEqual({ $handle: 3, length: 2 });
  expect(wired['m']).toBe(4);
  expect(mapFields(wired, decodeArray)).toEqual(args);
});

test('auto leaves the browser backends out unless ALRFLOW_AUTO_BROWSER=on', () => {
  expect(autoCandidates({})).toEqual(BACKEND_NAMES.filter((b) => !b.startsWith('browser-')));
  expect(autoCandidates({})).toContain('headlessgl');
  expect(autoCandidates({ ALRFLOW_AUTO_BROWSER: 'on' })).toEqual([...BACKEND_NAMES]);
  expect(() => autoCandidates({ ALRFLOW_AUTO_BROWSER: 'yes' })).toThrow(
    /ALRFLOW_AUTO_BROWSER = "yes"; allowed: on, off/,
  );
});
