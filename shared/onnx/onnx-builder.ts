import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** Element types we write; the numbers are ONNX's TensorProto.DataType codes. */
export type ElemType = 'float' | 'int64' | 'int32' | 'uint8';
const ELEM_CODE: Record<ElemType, number> = { float: 1, uint8: 2, int32: 6, int64: 7 };

export type TensorData = Float32Array | BigInt64Array | Int32Array | Uint8Array;

export interface TensorInit {
  dims: readonly number[];
  data: TensorData;
}

type AttrValue =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'ints'; value: readonly number[] }
  | { kind: 'floats'; value: readonly number[] }
  | { kind: 'string'; value: string }
  | { kind: 'tensor'; value: TensorInit };

/** Typed attribute constructors: ONNX distinguishes an int 1 from a float 1. */
export const attr = {
  int: (value: number): AttrValue => ({ kind: 'int', value }),
  float: (value: number): AttrValue => ({ kind: 'float', value }),
  ints: (value: readonly number[]): AttrValue => ({ kind: 'ints', value }),
  floats: (value: readonly number[]): AttrValue => ({ kind: 'floats', value }),
  string: (value: string): AttrValue => ({ kind: 'string', value }),
  tensor: (value: TensorInit): AttrValue => ({ kind: 'tensor', value }),
};

function elemTypeOf(data: TensorData): ElemType {
  if (data instanceof Float32Array) return 'float';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Int32Array) return 'int32';
  return 'uint8';
}

function tensorProto(name: string, t: TensorInit): InstanceType<typeof onnx.TensorProto> {
  const expected = t.dims.reduce((a, b) => a * b, 1);
  if (expected !== t.data.length) {
    throw new Error(`tensor ${name}: dims ${JSON.stringify(t.dims)} need ${expected} values, got ${t.data.length}`);
  }
  // Raw little-endian bytes: compact and fast for large embedding tables.
  const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  return onnx.TensorProto.create({
    name,
    dims: [...t.dims],
    dataType: ELEM_CODE[elemTypeOf(t.data)],
    rawData: new Uint8Array(bytes),
  });
}

function attributeProto(name: string, a: AttrValue): InstanceType<typeof onnx.AttributeProto> {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.kind) {
    case 'int':
      return onnx.AttributeProto.create({ name, type: T.INT, i: a.value });
    case 'float':
      return onnx.AttributeProto.create({ name, type: T.FLOAT, f: a.value });
    case 'ints':
      return onnx.AttributeProto.create({ name, type: T.INTS, ints: [...a.value] });
    case 'floats':
      return onnx.AttributeProto.create({ name, type: T.FLOATS, floats: [...a.value] });
    case 'string':
      return onnx.AttributeProto.create({ name, type: T.STRING, s: new TextEncoder().encode(a.value) });
    case 'tensor':
      return onnx.AttributeProto.create({ name, type: T.TENSOR, t: tensorProto(name, a.value) });
  }
}

function valueInfo(name: string, elem: ElemType, dims: readonly (number | string)[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType: ELEM_CODE[elem],
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  });
}

export interface OnnxModelOptions {
  producer: string;
  /** ONNX operator set version of the default domain. */
  opset?: number;
  docString?: string;
  metadata?: Record<string, string>;
}

/**
 * Builds an ONNX graph in memory and serialises it. Used by the text trainer, the image-model
 * converter and tests that need a real model without shipping one.
 */
export class OnnxGraphBuilder {
  private readonly inputs: ReturnType<typeof valueInfo>[] = [];
  private readonly outputs: ReturnType<typeof valueInfo>[] = [];
  private readonly initializers: ReturnType<typeof tensorProto>[] = [];
  private readonly nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  private counter = 0;

  constructor(private readonly graphName: string) {}

  input(name: string, elem: ElemType, dims: readonly (number | string)[]): string {
    this.inputs.push(valueInfo(name, elem, dims));
    return name;
  }

  output(name: string, elem: ElemType, dims: readonly (number | string)[]): string {
    this.outputs.push(valueInfo(name, elem, dims));
    return name;
  }

  initializer(name: string, tensor: TensorInit): string {
    this.initializers.push(tensorProto(name, tensor));
    return name;
  }

  /** Adds a node; returns its output names (fresh names unless given). */
  node(opType: string, inputs: readonly string[], opts: { outputs?: readonly string[]; attrs?: Record<string, AttrValue>; outputCount?: number } = {}): string[] {
    const outputs = opts.outputs ? [...opts.outputs] : Array.from({ length: opts.outputCount ?? 1 }, () => `${opType.toLowerCase()}_${this.counter++}`);
    this.nodes.push(
      onnx.NodeProto.create({
        opType,
        name: `${opType}_${this.nodes.length}`,
        input: [...inputs],
        output: outputs,
        attribute: Object.entries(opts.attrs ?? {}).map(([k, v]) => attributeProto(k, v)),
      }),
    );
    return outputs;
  }

  /** Convenience for single-output nodes. */
  op(opType: string, inputs: readonly string[], attrs?: Record<string, AttrValue>, output?: string): string {
    const [out] = this.node(opType, inputs, { attrs, outputs: output ? [output] : undefined });
    return out as string;
  }

  toBytes(options: OnnxModelOptions): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: options.producer,
      docString: options.docString ?? '',
      opsetImport: [{ domain: '', version: options.opset ?? 17 }],
      metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
      graph: onnx.GraphProto.create({
        name: this.graphName,
        input: this.inputs,
        output: this.outputs,
        initializer: this.initializers,
        node: this.nodes,
      }),
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
