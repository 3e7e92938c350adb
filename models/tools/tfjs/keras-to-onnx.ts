import { OnnxGraphBuilder, attr, type OnnxModelOptions } from '../../../shared/onnx/onnx-builder.js';
import type { WeightStore } from './decode-weights.js';
import type { KerasLayer, KerasModel } from './keras-topology.js';
import type { BatchNormParams } from './kernel-layout.js';
import { FOLDS_BATCH_NORM, LAYER_MAPPERS, UnsupportedLayerError, batchNormParams, type MapContext, type Value } from './layer-mappers.js';

/**
 * Walks a Keras layers model and writes the equivalent ONNX graph.
 *
 * Layout: the ONNX model takes the same NHWC float32 input as the Keras/tfjs model and transposes
 * it once to NCHW, the layout ONNX convolutions are defined in; everything after stays NCHW, and
 * Flatten goes back to channels-last order only if its map is larger than 1×1, so Dense weights
 * are used as stored. A BatchNormalization that directly follows a linear convolution or dense
 * layer (its only reader) is folded into that layer's weights.
 */

export interface KerasToOnnxOptions extends OnnxModelOptions {
  inputName: string;
  outputName: string;
  graphName?: string;
}

export interface ConvertedModel {
  bytes: Uint8Array;
  /** Graph input dims, NHWC with a symbolic batch: ['batch', 224, 224, 3]. */
  inputDims: (number | string)[];
  outputDims: (number | string)[];
  foldedBatchNorms: number;
  parameters: number;
}

/** BN layer → the layer it is folded into, for every BN that can be. */
function planBatchNormFolds(model: KerasModel): Map<string, KerasLayer> {
  const byName = new Map(model.layers.map((l) => [l.name, l]));
  const folds = new Map<string, KerasLayer>();
  for (const layer of model.layers) {
    if (layer.className !== 'BatchNormalization' || layer.inbound.length !== 1) continue;
    const producer = byName.get(layer.inbound[0] as string);
    if (!producer || !FOLDS_BATCH_NORM.has(producer.className)) continue;
    // Folding is only exact when nothing else reads the pre-BN value and no activation sits between.
    const linear = (producer.config.activation ?? 'linear') === 'linear';
    if (linear && model.consumers.get(producer.name) === 1) folds.set(layer.name, producer);
  }
  return folds;
}

export function kerasToOnnx(model: KerasModel, weights: WeightStore, options: KerasToOnnxOptions): ConvertedModel {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) throw new UnsupportedLayerError('only single-input, single-output models are supported');
  const builder = new OnnxGraphBuilder(options.graphName ?? model.name);
  const folds = planBatchNormFolds(model);
  const foldInto = new Map([...folds].map(([bn, producer]) => [producer.name, bn]));
  const layers = new Map(model.layers.map((l) => [l.name, l]));
  let parameters = 0;
  const constants = new Set<string>();
  let padCount = 0;

  const ctx: MapContext = {
    builder,
    weights,
    foldedBatchNorm(layerName): BatchNormParams | undefined {
      const bn = foldInto.get(layerName);
      // Dense output is rank 1 here ([F]), images rank 3 ([C, H, W]); Keras counts the batch too.
      const producer = layers.get(layerName);
      return bn ? batchNormParams(layers.get(bn) as KerasLayer, ctx, producer?.className === 'Dense' ? 1 : 3) : undefined;
    },
    constant(name, dims, data) {
      if (constants.has(name)) return name;
      constants.add(name);
      parameters += data.length;
      return builder.initializer(name, { dims, data });
    },
    materialize(v) {
      if (!v.pendingPads) return v;
      const [t, l, b, r] = v.pendingPads;
      const pads = builder.initializer(`pad_${padCount++}/pads`, { dims: [8], data: BigInt64Array.from([0, 0, t, l, 0, 0, b, r].map(BigInt)) });
      const [c, h, w] = v.shape as [number, number, number];
      return { name: builder.op('Pad', [v.name, pads]), shape: [c, h + t + b, w + l + r] };
    },
  };

  const values = new Map<string, Value>();
  for (const layer of model.layers) {
    if (layer.className === 'InputLayer') {
      values.set(layer.name, graphInput(layer, builder, options.inputName));
      continue;
    }
    const inputs = layer.inbound.map((n) => values.get(n) as Value);
    const producer = folds.get(layer.name);
    if (producer) {
      values.set(layer.name, inputs[0] as Value); // already applied by the producer
      continue;
    }
    const mapper = LAYER_MAPPERS[layer.className];
    if (!mapper) throw new UnsupportedLayerError(`layer ${layer.name}: Keras class ${layer.className} is not supported`);
    values.set(layer.name, mapper(layer, inputs, ctx));
  }

  let out = ctx.materialize(values.get(model.outputs[0] as string) as Value);
  if (out.shape.length === 3) {
    // Image-shaped outputs go back to the caller's channels-last layout.
    const [c, h, w] = out.shape as [number, number, number];
    out = { name: builder.op('Transpose', [out.name], { perm: attr.ints([0, 2, 3, 1]) }), shape: [h, w, c] };
  }
  builder.op('Identity', [out.name], undefined, options.outputName);
  const outputDims = ['batch', ...out.shape];
  builder.output(options.outputName, 'float', outputDims);

  const leftovers = weights.unused();
  if (leftovers.length) throw new UnsupportedLayerError(`weights not used by any layer (a layer was mis-mapped?): ${leftovers.join(', ')}`);

  const inputLayer = layers.get(model.inputs[0] as string) as KerasLayer;
  return {
    bytes: builder.toBytes(options),
    inputDims: ['batch', ...inputShape(inputLayer)],
    outputDims,
    foldedBatchNorms: folds.size,
    parameters,
  };
}

function inputShape(layer: KerasLayer): number[] {
  const shape = layer.config.batch_input_shape;
  if (!Array.isArray(shape) || shape.slice(1).some((d) => typeof d !== 'number')) {
    throw new UnsupportedLayerError(`input ${layer.name}: needs a fixed batch_input_shape, got ${JSON.stringify(shape)}`);
  }
  return shape.slice(1) as number[];
}

/** NHWC graph input, transposed once to NCHW; vector inputs pass as they are. */
function graphInput(layer: KerasLayer, builder: OnnxGraphBuilder, name: string): Value {
  const dims = inputShape(layer);
  builder.input(name, 'float', ['batch', ...dims]);
  if (dims.length === 1) return { name, shape: dims };
  const [h, w, c] = dims as [number, number, number];
  if (dims.length !== 3) throw new UnsupportedLayerError(`input ${layer.name}: rank ${dims.length + 1} is not supported`);
  return { name: builder.op('Transpose', [name], { perm: attr.ints([0, 3, 1, 2]) }), shape: [c, h, w] };
}
