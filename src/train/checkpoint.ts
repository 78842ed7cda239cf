// Checkpoints: the complete state a run needs to continue bit-exactly (weights, optimizer state,
// step counters, run configuration) in one binary file, written atomically (temporary file, fsync,
// rename) and protected by a SHA-256 checksum. A file that fails any check is reported and never
// loaded. Layout: 8-byte magic, 32-byte SHA-256 of the payload, payload = u32 header length, JSON
// header, zero padding to 8 bytes, then the float64 arrays back to back in header order.
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { InvalidInputError } from '../errors.js';

export interface CheckpointState<Meta> {
  meta: Meta;
  /** Float arrays by name; float32 values survive the float64 round trip exactly. */
  arrays: Record<string, Float64Array>;
}

const MAGIC = Buffer.from('ALRCKPT1', 'latin1');
const SHA_BYTES = 32;

interface Header<Meta> {
  meta: Meta;
  arrays: { name: string; length: number }[];
}

function encode<Meta>(state: CheckpointState<Meta>): Buffer {
  const names = Object.keys(state.arrays).sort();
  const header: Header<Meta> = {
    meta: state.meta,
    arrays: names.map((name) => ({ name, length: state.arrays[name]!.length })),
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const headerBytes = Math.ceil((4 + json.length) / 8) * 8;
  const dataBytes = names.reduce((s, n) => s + state.arrays[n]!.length * 8, 0);
  const payload = Buffer.alloc(headerBytes + dataBytes);
  payload.writeUInt32LE(json.length, 0);
  json.copy(payload, 4);
  let offset = headerBytes;
  for (const name of names) {
    const array = state.arrays[name]!;
    Buffer.from(array.buffer, array.byteOffset, array.byteLength).copy(payload, offset);
    offset += array.byteLength;
  }
  return payload;
}

/** Writes the checkpoint atomically: a crash at any moment leaves the old file or the new one, whole. */
export function writeCheckpoint<Meta>(path: string, state: CheckpointState<Meta>): void {
  const payload = encode(state);
  const sha = createHash('sha256').update(payload).digest();
  const temporary = `${path}.tmp-${process.pid}`;
  const fd = openSync(temporary, 'w');
  try {
    for (const part of [MAGIC, sha, payload]) writeSync(fd, part);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}

function corrupt(path: string, what: string): InvalidInputError {
  return new InvalidInputError(
    `checkpoint ${path}: ${what}; the file is corrupt and was not loaded. Hint: restart the run without --resume (use --force to overwrite the run directory)`,
  );
}

/** Reads and verifies a checkpoint; any mismatch throws InvalidInputError naming what failed. */
export function readCheckpoint<Meta>(path: string): CheckpointState<Meta> {
  const file = readFileSync(path);
  if (file.length < MAGIC.length + SHA_BYTES + 4 || !file.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw corrupt(path, `bad magic or too short (${file.length} bytes)`);
  }
  const stored = file.subarray(MAGIC.length, MAGIC.length + SHA_BYTES);
  const payload = file.subarray(MAGIC.length + SHA_BYTES);
  const computed = createHash('sha256').update(payload).digest();
  if (!computed.equals(stored)) {
    throw corrupt(
      path,
      `checksum mismatch (stored ${stored.toString('hex').slice(0, 12)}..., computed ${computed.toString('hex').slice(0, 12)}...)`,
    );
  }
  const jsonBytes = payload.readUInt32LE(0);
  const header = JSON.parse(payload.subarray(4, 4 + jsonBytes).toString('utf8')) as Header<Meta>;
  let offset = Math.ceil((4 + jsonBytes) / 8) * 8;
  const arrays: Record<string, Float64Array> = {};
  for (const { name, length } of header.arrays) {
    if (offset + length * 8 > payload.length) throw corrupt(path, `array ${name} runs past the end of the file`);
    // Copy: the file buffer's offset need not be 8-byte aligned for a Float64Array view.
    arrays[name] = new Float64Array(
      payload.buffer.slice(payload.byteOffset + offset, payload.byteOffset + offset + length * 8),
    );
    offset += length * 8;
  }
  return { meta: header.meta, arrays };
}
