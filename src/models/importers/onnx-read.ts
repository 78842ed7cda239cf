// Reads an ONNX file (protobuf, decoded with onnx-proto's generated code for onnx.proto) into plain
// data: nodes in file order, initializers, graph inputs with their static shapes, and graph outputs.
// A file that does not decode (truncated, not ONNX), uses an opset outside 13-18 or keeps its weights in
// external files is refused with a ConfigError naming the file. Nothing is interpreted here.
import { readFileSync } from 'node:fs';
import onnxProto, { type onnx as OnnxProto } from 'onnx-proto';
import { ConfigError } from '../../errors.js';

const { onnx } = onnxProto;

export const ONNX_OPSETS = { min: 13, max: 18 } as const;

/** ONNX TensorProto data types this importer reads. */
export const OnnxDataType = { float: 1, int32: 6, int64: 7, bool: 9, double: 11 } as const;

export interface OnnxTensor {
  dims: number[];
  dataType: number;
  /** Element values in row-major order (int64 as numbers: exact for shapes and indices). */
  values: ArrayLike<number>;
}

export type OnnxAttribute = number | number[] | string | OnnxTensor;

export interface OnnxNode {
  name: string;
  opType: string;
  /** '' for the default ONNX domain (ai.onnx). */
  domain: string;
  /** Input value names; '' marks an omitted optional input. */
  inputs: string[];
  outputs: string[];
  attributes: Map<string, OnnxAttribute>;
}

export interface OnnxValueInfo {
  name: string;
  /** Static dims; a symbolic or missing dim is -1. */
  shape: number[];
}

export interface OnnxGraph {
  file: string;
  opset: number;
  nodes: OnnxNode[];
  initializers: Map<string, OnnxTensor>;
  /** Graph inputs that are not initializers: the network's data inputs. */
  inputs: OnnxValueInfo[];
  outputs: string[];
}

type Long = { toNumber(): number };
const num = (x: number | Long | null | undefined): number => (typeof x === 'number' ? x : (x?.toNumber() ?? 0));

export function readOnnxFile(path: string): OnnxGraph {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new ConfigError([`${path}: cannot read the ONNX file (${(err as Error).message})`]);
  }
  return parseOnnx(bytes, path);
}

export function parseOnnx(bytes: Uint8Array, file = '<onnx>'): OnnxGraph {
  let model: InstanceType<typeof onnx.ModelProto>;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new ConfigError([
      `${file}: not a readable ONNX model (${(err as Error).message}); the file is truncated or not ONNX; allowed: a complete .onnx file as torch.onnx.export writes it`,
    ]);
  }
  const graph = model.graph;
  if (!graph?.node || graph.node.length === 0)
    throw new ConfigError([`${file}: the ONNX model holds no graph nodes (truncated or empty file)`]);
  const opset = defaultOpset(model.opsetImport, file);
  const initializers = new Map(
    (graph.initializer ?? []).map((t) => [t.name ?? '', readTensor(t, `${file}: initializer ${t.name}`)]),
  );
  return {
    file,
    opset,
    nodes: graph.node.map((n, i) => readNode(n, i, file)),
    initializers,
    inputs: (graph.input ?? []).filter((v) => !initializers.has(v.name ?? '')).map(readValueInfo),
    outputs: (graph.output ?? []).map((v) => v.name ?? ''),
  };
}

function defaultOpset(imports: { domain?: string | null; version?: number | Long | null }[], file: string): number {
  const entry = imports.find((o) => (o.domain ?? '') === '' || o.domain === 'ai.onnx');
  const version = entry ? num(entry.version) : 0;
  if (version < ONNX_OPSETS.min || version > ONNX_OPSETS.max)
    throw new ConfigError([
      `${file}: ONNX opset ${entry ? version : 'missing (truncated file?)'}; allowed: opsets ${ONNX_OPSETS.min} to ${ONNX_OPSETS.max}; hint: torch.onnx.export(..., opset_version=17)`,
    ]);
  return version;
}

function readValueInfo(v: OnnxProto.IValueInfoProto): OnnxValueInfo {
  const dims = v.type?.tensorType?.shape?.dim ?? [];
  return { name: v.name ?? '', shape: dims.map((d) => (d.dimParam ? -1 : num(d.dimValue) || -1)) };
}

function readNode(n: OnnxProto.INodeProto, index: number, file: string): OnnxNode {
  const name = n.name || `${n.opType}_${index}`;
  const attributes = new Map<string, OnnxAttribute>();
  for (const a of n.attribute ?? []) {
    const value = readAttribute(a, `${file}: node ${name} attribute ${a.name}`);
    if (value !== undefined) attributes.set(a.name ?? '', value);
  }
  const domain = n.domain === 'ai.onnx' ? '' : (n.domain ?? '');
  return {
    name,
    opType: n.opType ?? '',
    domain,
    inputs: [...(n.input ?? [])],
    outputs: [...(n.output ?? [])],
    attributes,
  };
}

function readAttribute(a: OnnxProto.IAttributeProto, where: string): OnnxAttribute | undefined {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.type) {
    case T.FLOAT:
      return a.f ?? 0;
    case T.INT:
      return num(a.i);
    case T.STRING:
      return new TextDecoder().decode(a.s ?? new Uint8Array());
    case T.FLOATS:
      return [...(a.floats ?? [])];
    case T.INTS:
      return (a.ints ?? []).map(num);
    case T.TENSOR:
      return a.t ? readTensor(a.t, where) : undefined;
    default:
      return undefined;
  }
}

function readTensor(t: OnnxProto.ITensorProto, where: string): OnnxTensor {
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL)
    throw new ConfigError([
      `${where}: weights in an external data file; allowed: weights inside the .onnx file; hint: export without external data (models under 2 GB)`,
    ]);
  const dims = (t.dims ?? []).map(num);
  const count = dims.reduce((a, b) => a * b, 1);
  const values = tensorValues(t, count, where);
  if (values.length !== count)
    throw new ConfigError([
      `${where}: ${values.length} values for dims [${dims.join(', ')}] (${count} expected); the file is truncated or corrupt`,
    ]);
  return { dims, dataType: t.dataType ?? 0, values };
}

function tensorValues(t: OnnxProto.ITensorProto, count: number, where: string): ArrayLike<number> {
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : undefined;
  const view = raw ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : undefined;
  const D = OnnxDataType;
  switch (t.dataType) {
    case D.float:
      return view
        ? fromRaw(view, 4, count, (o) => view.getFloat32(o, true), Float32Array)
        : Float32Array.from(t.floatData ?? []);
    case D.double:
      return view
        ? fromRaw(view, 8, count, (o) => view.getFloat64(o, true), Float64Array)
        : Float64Array.from(t.doubleData ?? []);
    case D.int64:
      return view ? fromRaw(view, 8, count, (o) => Number(view.getBigInt64(o, true))) : (t.int64Data ?? []).map(num);
    case D.int32:
      return view ? fromRaw(view, 4, count, (o) => view.getInt32(o, true)) : [...(t.int32Data ?? [])];
    case D.bool:
      return view ? fromRaw(view, 1, count, (o) => view.getUint8(o)) : [...(t.int32Data ?? [])];
    default:
      throw new ConfigError([
        `${where}: data type ${t.dataType}; allowed: float, double, int64, int32, bool (ONNX TensorProto codes 1, 11, 7, 6, 9)`,
      ]);
  }
}

function fromRaw(
  view: DataView,
  bytes: number,
  count: number,
  read: (offset: number) => number,
  Out: Float32ArrayConstructor | Float64ArrayConstructor = Float64Array,
): ArrayLike<number> {
  const n = view.byteLength % bytes === 0 ? view.byteLength / bytes : -1;
  if (n !== count) return { length: n };
  const out = new Out(n);
  for (let i = 0; i < out.length; i++) out[i] = read(i * bytes);
  return out;
}
