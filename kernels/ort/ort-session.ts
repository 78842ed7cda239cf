// Native products on onnxruntime-node's CPU execution provider (MLAS: AVX2 and AVX-512 GEMM and
// convolution): each distinct (op, shapes, attributes) becomes a one-node ONNX model, compiled into
// a session once per process and thread count and then run synchronously through the package's
// native binding, reading the caller's Float32Arrays and writing its output array in place.
// Optional: when the package or its binary does not load, ortUnavailable() says why and callers keep
// their own kernels. Results do not depend on the thread count (MLAS splits output rows and columns,
// never a sum).
import { createRequire } from 'node:module';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** One ONNX node on float32 tensors: inputs and output by dims, attributes as ONNX spells them. */
export interface OrtNode {
  op: string;
  inputs: readonly (readonly number[])[];
  output: readonly number[];
  attrs?: Readonly<Record<string, number | readonly number[]>>;
}

export interface OrtRunner {
  readonly threads: number;
  /** Runs `node` on `inputs` (each exactly its dims' size) into `out` (exactly the output's size). */
  run(node: OrtNode, inputs: readonly Float32Array[], out: Float32Array): void;
}

interface NativeSession {
  loadModel(buffer: ArrayBuffer, offset: number, length: number, options: object): void;
  run(feeds: Record<string, unknown>, fetches: Record<string, unknown>, options: object): unknown;
}

interface Native {
  version: string;
  binding: { InferenceSession: new () => NativeSession };
  initOrt(): void;
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => unknown;
}

let native: Native | string | undefined;

function loadNative(): Native | string {
  if (native !== undefined) return native;
  try {
    const require = createRequire(import.meta.url);
    const { Tensor, env } = require('onnxruntime-node') as Pick<Native, 'Tensor'> & {
      env: { versions: { node: string } };
    };
    const { binding, initOrt } = require('onnxruntime-node/dist/binding') as Pick<Native, 'binding' | 'initOrt'>;
    initOrt();
    native = { version: env.versions.node, binding, initOrt, Tensor };
  } catch (e) {
    native = `onnxruntime-node does not load here: ${(e as Error).message.split('\n')[0]}`;
  }
  return native;
}

/** Why native products cannot run here; null when they can. ALRFLOW_ORT=0 turns them off. */
export function ortUnavailable(): string | null {
  if (process.env.ALRFLOW_ORT === '0') return 'turned off by ALRFLOW_ORT=0';
  const n = loadNative();
  return typeof n === 'string' ? n : null;
}

/** The onnxruntime-node version that runs the products, e.g. "1.30.0" (null where it does not load). */
export function ortVersion(): string | null {
  const n = loadNative();
  return typeof n === 'string' ? null : n.version;
}

const runners = new Map<number, OrtRunner>();

/** The runner for `threads` intra-op threads (one per thread count per process), or null when unavailable. */
export function ortRunner(threads: number): OrtRunner | null {
  if (ortUnavailable() !== null) return null;
  let r = runners.get(threads);
  if (!r) {
    r = makeRunner(loadNative() as Native, threads);
    runners.set(threads, r);
  }
  return r;
}

const INPUT_NAMES = ['x0', 'x1', 'x2', 'x3'];

function makeRunner(n: Native, threads: number): OrtRunner {
  const sessions = new Map<string, NativeSession>();
  const options = {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
  const session = (node: OrtNode): NativeSession => {
    const key = JSON.stringify(node);
    let s = sessions.get(key);
    if (!s) {
      const model = oneNodeModel(node);
      s = new n.binding.InferenceSession();
      s.loadModel(model.buffer as ArrayBuffer, model.byteOffset, model.byteLength, options);
      sessions.set(key, s);
    }
    return s;
  };
  return {
    threads,
    run(node, inputs, out) {
      const feeds: Record<string, unknown> = {};
      inputs.forEach((data, i) => (feeds[INPUT_NAMES[i] as string] = new n.Tensor('float32', data, node.inputs[i]!)));
      session(node).run(feeds, { y: new n.Tensor('float32', out, node.output) }, {});
    },
  };
}

function oneNodeModel(node: OrtNode): Uint8Array {
  const valueInfo = (name: string, dims: readonly number[]) =>
    onnx.ValueInfoProto.create({
      name,
      type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => ({ dimValue: d })) } } },
    });
  const T = onnx.AttributeProto.AttributeType;
  const attribute = Object.entries(node.attrs ?? {}).map(([name, v]) =>
    typeof v === 'number' ? { name, type: T.INT, i: v } : { name, type: T.INTS, ints: [...v] },
  );
  const names = node.inputs.map((_, i) => INPUT_NAMES[i] as string);
  const graph = onnx.GraphProto.create({
    name: node.op,
    node: [onnx.NodeProto.create({ opType: node.op, input: names, output: ['y'], attribute })],
    input: node.inputs.map((dims, i) => valueInfo(names[i] as string, dims)),
    output: [valueInfo('y', node.output)],
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'alrflow',
    graph,
    opsetImport: [{ domain: '', version: 17 }],
  });
  return onnx.ModelProto.encode(model).finish();
}
