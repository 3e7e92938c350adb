import type { WeightSpec } from './read-artifacts.js';

/**
 * Turns a tfjs weights manifest and its bytes into float32 tensors, dequantising the way
 * tfjs-core's `decodeWeights` does so the converted model starts from the very same numbers:
 *
 *   uint8 / uint16 affine:  value = float32(q * scale + min)     (computed in double)
 *   float16:                IEEE half → float32
 */

export interface FloatTensor {
  shape: number[];
  data: Float32Array;
}

export class WeightDecodeError extends Error {
  override readonly name = 'WeightDecodeError';
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, uint8: 1, uint16: 2, float16: 2 };

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

function decodeOne(spec: WeightSpec, bytes: Uint8Array): Float32Array {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  // Copy first: shard offsets need not be aligned for typed-array views.
  const aligned = bytes.slice().buffer;
  const q = spec.quantization;
  if (!q) {
    out.set(new Float32Array(aligned));
    return out;
  }
  if (q.dtype === 'float16') {
    const halves = new Uint16Array(aligned);
    for (let i = 0; i < size; i++) out[i] = halfToFloat(halves[i] as number);
    return out;
  }
  if (q.min === undefined || q.scale === undefined) throw new WeightDecodeError(`weight ${spec.name}: ${q.dtype} quantization without min/scale`);
  const values = q.dtype === 'uint8' ? new Uint8Array(aligned) : new Uint16Array(aligned);
  for (let i = 0; i < size; i++) out[i] = (values[i] as number) * q.scale + q.min;
  return out;
}

/** Every float32 weight by name; other dtypes (never used by the layers we convert) are refused. */
export function decodeWeights(specs: readonly WeightSpec[], data: Uint8Array): Map<string, FloatTensor> {
  const out = new Map<string, FloatTensor>();
  let offset = 0;
  for (const spec of specs) {
    if (spec.dtype !== 'float32') throw new WeightDecodeError(`weight ${spec.name}: dtype ${spec.dtype} is not supported (float32 only)`);
    const storage = spec.quantization?.dtype ?? spec.dtype;
    const perValue = BYTES[storage];
    if (perValue === undefined) throw new WeightDecodeError(`weight ${spec.name}: unknown storage type ${storage}`);
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const length = size * perValue;
    if (offset + length > data.length) {
      throw new WeightDecodeError(`weight ${spec.name}: needs bytes ${offset}..${offset + length}, shards hold ${data.length}`);
    }
    if (out.has(spec.name)) throw new WeightDecodeError(`weight ${spec.name} appears twice in the manifest`);
    out.set(spec.name, { shape: [...spec.shape], data: decodeOne(spec, data.subarray(offset, offset + length)) });
    offset += length;
  }
  if (offset !== data.length) throw new WeightDecodeError(`shards hold ${data.length} bytes, the manifest describes ${offset}`);
  return out;
}

/**
 * Weights by layer, as Keras names them (`<layer>/<variable>`), with a record of what was used
 * so the converter can prove no weight was left behind (a left-over means a mis-mapped layer).
 */
export class WeightStore {
  private readonly used = new Set<string>();

  constructor(private readonly weights: Map<string, FloatTensor>) {}

  /** The variable, or undefined when the layer has none by that name. */
  find(layer: string, variable: string): FloatTensor | undefined {
    for (const key of [`${layer}/${variable}`, `${layer}/${variable}:0`]) {
      const t = this.weights.get(key);
      if (t) {
        this.used.add(key);
        return t;
      }
    }
    return undefined;
  }

  take(layer: string, variable: string, shape?: readonly number[]): FloatTensor {
    const t = this.find(layer, variable);
    if (!t) throw new WeightDecodeError(`layer ${layer}: weight '${variable}' not found`);
    if (shape && (shape.length !== t.shape.length || shape.some((d, i) => d !== t.shape[i]))) {
      throw new WeightDecodeError(`layer ${layer}: weight '${variable}' has shape [${t.shape}], expected [${shape}]`);
    }
    return t;
  }

  unused(): string[] {
    return [...this.weights.keys()].filter((k) => !this.used.has(k));
  }
}
