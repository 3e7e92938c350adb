import { z } from 'zod';
import { attr, type OnnxGraphBuilder } from '../../../shared/onnx/onnx-builder.js';
import type { WeightStore } from './decode-weights.js';
import type { KerasLayer } from './keras-topology.js';
import { conv2dKernelToOihw, depthwiseKernelToOihw, foldBatchNorm, tfSamePadding, windowOutputSize, type BatchNormParams } from './kernel-layout.js';

/**
 * One function per Keras layer class, each emitting ONNX nodes. Values flow in ONNX layout:
 * images as NCHW (the graph transposes its NHWC input once, at the entrance), vectors as [N, F].
 */

export interface Value {
  name: string;
  /** Shape without the batch axis, ONNX order: [C, H, W] for images, [F] for vectors. */
  shape: number[];
  /** ZeroPadding2D not yet applied, [top, left, bottom, right]: a following convolution absorbs it. */
  pendingPads?: [number, number, number, number];
}

export interface MapContext {
  builder: OnnxGraphBuilder;
  weights: WeightStore;
  /** Batch-norm parameters to fold into this layer's output, when the plan says so. */
  foldedBatchNorm(layerName: string): BatchNormParams | undefined;
  /** Adds a float initializer named after its layer. */
  constant(name: string, dims: readonly number[], data: Float32Array): string;
  /** Applies pending zero padding with a Pad node. */
  materialize(v: Value): Value;
}

export type LayerMapper = (layer: KerasLayer, inputs: Value[], ctx: MapContext) => Value;

export class UnsupportedLayerError extends Error {
  override readonly name = 'UnsupportedLayerError';
}

const pair = z.union([z.number().int(), z.tuple([z.number().int(), z.number().int()])]).transform((v): [number, number] => (typeof v === 'number' ? [v, v] : v));
const channelsLast = z.literal('channels_last').optional();
const padding = z.enum(['valid', 'same']);
const activation = z.string().default('linear');

const convSchema = z.object({
  kernel_size: pair,
  strides: pair.default([1, 1]),
  padding: padding.default('valid'),
  dilation_rate: pair.default([1, 1]),
  use_bias: z.boolean().default(true),
  activation,
  data_format: channelsLast,
  depth_multiplier: z.number().int().positive().optional(),
});

function parse<T extends z.ZodType>(schema: T, layer: KerasLayer): z.infer<T> {
  const r = schema.safeParse(layer.config);
  if (!r.success) throw new UnsupportedLayerError(`layer ${layer.name} (${layer.className}): ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}

function single(layer: KerasLayer, inputs: Value[]): Value {
  const [x] = inputs;
  if (!x || inputs.length !== 1) throw new UnsupportedLayerError(`layer ${layer.name} expects one input, has ${inputs.length}`);
  return x;
}

function image(layer: KerasLayer, v: Value): [number, number, number] {
  const [c, h, w] = v.shape;
  if (v.shape.length !== 3 || c === undefined || h === undefined || w === undefined) throw new UnsupportedLayerError(`layer ${layer.name} expects an image tensor, got shape [${v.shape}]`);
  return [c, h, w];
}

/** Keras activations as ONNX nodes. Softmax is over the features, which is axis 1 in NCHW and [N, F]. */
export function applyActivation(name: string, v: Value, ctx: MapContext, layerName: string): Value {
  const b = ctx.builder;
  switch (name) {
    case 'linear':
      return v;
    case 'relu':
      return { name: b.op('Relu', [v.name]), shape: v.shape };
    case 'relu6':
      return { name: b.op('Clip', [v.name, ctx.constant('const/0', [], new Float32Array([0])), ctx.constant('const/6', [], new Float32Array([6]))]), shape: v.shape };
    case 'sigmoid':
      return { name: b.op('Sigmoid', [v.name]), shape: v.shape };
    case 'tanh':
      return { name: b.op('Tanh', [v.name]), shape: v.shape };
    case 'softmax':
      return { name: b.op('Softmax', [v.name], { axis: attr.int(1) }), shape: v.shape };
    default:
      throw new UnsupportedLayerError(`layer ${layerName}: activation '${name}' is not supported`);
  }
}

/** Conv2D and DepthwiseConv2D: TF 'same' padding and any pending ZeroPadding2D become explicit pads. */
const convolution: LayerMapper = (layer, inputs, ctx) => {
  const cfg = parse(convSchema, layer);
  const x = single(layer, inputs);
  const [cin, h, w] = image(layer, x);
  const depthwise = layer.className === 'DepthwiseConv2D';
  const kernel = ctx.weights.take(layer.name, depthwise ? 'depthwise_kernel' : 'kernel');
  const [kh, kw, kin, kout] = kernel.shape as [number, number, number, number];
  if (kernel.shape.length !== 4 || kin !== cin) throw new UnsupportedLayerError(`layer ${layer.name}: kernel [${kernel.shape}] does not fit ${cin} input channels`);
  const cout = depthwise ? cin * kout : kout;

  const [pt, pl, pb, pr] = x.pendingPads ?? [0, 0, 0, 0];
  let pads = [pt, pl, pb, pr];
  if (cfg.padding === 'same') {
    const [sb, sa] = tfSamePadding(h + pt + pb, kh, cfg.strides[0], cfg.dilation_rate[0]);
    const [sl, sr] = tfSamePadding(w + pl + pr, kw, cfg.strides[1], cfg.dilation_rate[1]);
    pads = [pt + sb, pl + sl, pb + sa, pr + sr];
  }
  const outH = windowOutputSize(h, kh, cfg.strides[0], pads[0] as number, pads[2] as number, cfg.dilation_rate[0]);
  const outW = windowOutputSize(w, kw, cfg.strides[1], pads[1] as number, pads[3] as number, cfg.dilation_rate[1]);

  let weight = depthwise ? depthwiseKernelToOihw(kernel.data, kernel.shape) : conv2dKernelToOihw(kernel.data, kernel.shape);
  let bias = cfg.use_bias ? ctx.weights.take(layer.name, 'bias', [cout]).data : undefined;
  const bn = ctx.foldedBatchNorm(layer.name);
  if (bn) ({ weight, bias } = foldBatchNorm(weight, bias, cout, bn));

  const convInputs = [x.name, ctx.constant(`${layer.name}/W`, [cout, depthwise ? 1 : cin, kh, kw], weight)];
  if (bias) convInputs.push(ctx.constant(`${layer.name}/B`, [cout], bias));
  const conv = ctx.builder.op(
    'Conv',
    convInputs,
    {
      kernel_shape: attr.ints([kh, kw]),
      strides: attr.ints(cfg.strides),
      dilations: attr.ints(cfg.dilation_rate),
      pads: attr.ints(pads),
      group: attr.int(depthwise ? cin : 1),
    },
  );
  return applyActivation(cfg.activation, { name: conv, shape: [cout, outH, outW] }, ctx, layer.name);
};

const denseSchema = z.object({ units: z.number().int().positive(), use_bias: z.boolean().default(true), activation });

const dense: LayerMapper = (layer, inputs, ctx) => {
  const cfg = parse(denseSchema, layer);
  const x = single(layer, inputs);
  const [features] = x.shape;
  if (x.shape.length !== 1 || features === undefined) throw new UnsupportedLayerError(`layer ${layer.name}: Dense on shape [${x.shape}] (add a Flatten) is not supported`);
  const kernel = ctx.weights.take(layer.name, 'kernel', [features, cfg.units]);
  let weight = kernel.data;
  let bias = cfg.use_bias ? ctx.weights.take(layer.name, 'bias', [cfg.units]).data : undefined;
  const bn = ctx.foldedBatchNorm(layer.name);
  if (bn) ({ weight, bias } = foldBatchNorm(weight, bias, cfg.units, bn, true));
  // Gemm computes A·B + C with B = the Keras kernel as stored ([in, out]): no transpose needed.
  const gemmInputs = [x.name, ctx.constant(`${layer.name}/W`, [features, cfg.units], weight)];
  if (bias) gemmInputs.push(ctx.constant(`${layer.name}/B`, [cfg.units], bias));
  const y = ctx.builder.op('Gemm', gemmInputs);
  return applyActivation(cfg.activation, { name: y, shape: [cfg.units] }, ctx, layer.name);
};

const bnSchema = z.object({
  axis: z.union([z.number().int(), z.array(z.number().int()).length(1).transform((a) => a[0] as number)]).default(-1),
  epsilon: z.number().positive().default(1e-3),
  center: z.boolean().default(true),
  scale: z.boolean().default(true),
});

/** The parameters of a BatchNormalization layer, for folding or for a standalone node. */
export function batchNormParams(layer: KerasLayer, ctx: Pick<MapContext, 'weights'>, rank: number): BatchNormParams {
  const cfg = parse(bnSchema, layer);
  // Keras' channel axis must be the last one; after our NHWC → NCHW move it is ONNX's axis 1.
  if (!(cfg.axis === -1 || cfg.axis === rank)) throw new UnsupportedLayerError(`layer ${layer.name}: batch norm over axis ${cfg.axis} is not supported`);
  return {
    gamma: cfg.scale ? ctx.weights.take(layer.name, 'gamma').data : undefined,
    beta: cfg.center ? ctx.weights.take(layer.name, 'beta').data : undefined,
    mean: ctx.weights.take(layer.name, 'moving_mean').data,
    variance: ctx.weights.take(layer.name, 'moving_variance').data,
    epsilon: cfg.epsilon,
  };
}

const batchNormalization: LayerMapper = (layer, inputs, ctx) => {
  const x = ctx.materialize(single(layer, inputs));
  const channels = x.shape[0] as number;
  const p = batchNormParams(layer, ctx, x.shape.length);
  const ones = new Float32Array(channels).fill(1);
  const y = ctx.builder.op(
    'BatchNormalization',
    [
      x.name,
      ctx.constant(`${layer.name}/scale`, [channels], p.gamma ?? ones),
      ctx.constant(`${layer.name}/bias`, [channels], p.beta ?? new Float32Array(channels)),
      ctx.constant(`${layer.name}/mean`, [channels], p.mean),
      ctx.constant(`${layer.name}/var`, [channels], p.variance),
    ],
    { epsilon: attr.float(p.epsilon) },
  );
  return { name: y, shape: x.shape };
};

const reluSchema = z.object({ max_value: z.number().nullable().default(null), negative_slope: z.number().default(0), threshold: z.number().default(0) });

const relu: LayerMapper = (layer, inputs, ctx) => {
  const cfg = parse(reluSchema, layer);
  const x = ctx.materialize(single(layer, inputs));
  if (cfg.threshold !== 0) throw new UnsupportedLayerError(`layer ${layer.name}: ReLU threshold ${cfg.threshold} is not supported`);
  if (cfg.negative_slope !== 0) {
    if (cfg.max_value !== null) throw new UnsupportedLayerError(`layer ${layer.name}: leaky ReLU with a maximum is not supported`);
    return { name: ctx.builder.op('LeakyRelu', [x.name], { alpha: attr.float(cfg.negative_slope) }), shape: x.shape };
  }
  if (cfg.max_value === null) return { name: ctx.builder.op('Relu', [x.name]), shape: x.shape };
  // ReLU6 and friends: Clip(x, 0, max). Clip takes its bounds as inputs since opset 11.
  const max = ctx.constant(`const/${cfg.max_value}`, [], new Float32Array([cfg.max_value]));
  return { name: ctx.builder.op('Clip', [x.name, ctx.constant('const/0', [], new Float32Array([0])), max]), shape: x.shape };
};

const activationLayer: LayerMapper = (layer, inputs, ctx) =>
  applyActivation(parse(z.object({ activation }), layer).activation, ctx.materialize(single(layer, inputs)), ctx, layer.name);

const add: LayerMapper = (layer, inputs, ctx) => {
  const values = inputs.map((v) => ctx.materialize(v));
  const [first, ...rest] = values;
  if (!first || rest.length === 0) throw new UnsupportedLayerError(`layer ${layer.name}: Add needs two or more inputs`);
  for (const v of rest) {
    if (v.shape.join() !== first.shape.join()) throw new UnsupportedLayerError(`layer ${layer.name}: adds [${first.shape}] and [${v.shape}]`);
  }
  let sum = first.name;
  for (const v of rest) sum = ctx.builder.op('Add', [sum, v.name]);
  return { name: sum, shape: first.shape };
};

const concatenate: LayerMapper = (layer, inputs, ctx) => {
  const { axis } = parse(z.object({ axis: z.number().int().default(-1) }), layer);
  const values = inputs.map((v) => ctx.materialize(v));
  const first = values[0];
  if (!first) throw new UnsupportedLayerError(`layer ${layer.name}: nothing to concatenate`);
  // Only the Keras channel axis (last) is supported: it is axis 1 in NCHW and in [N, F].
  if (axis !== -1 && axis !== first.shape.length) throw new UnsupportedLayerError(`layer ${layer.name}: concatenation on axis ${axis} is not supported`);
  const y = ctx.builder.op('Concat', values.map((v) => v.name), { axis: attr.int(1) });
  const channels = values.reduce((n, v) => n + (v.shape[0] as number), 0);
  return { name: y, shape: [channels, ...first.shape.slice(1)] };
};

const zeroPadding: LayerMapper = (layer, inputs) => {
  const x = single(layer, inputs);
  const { padding: p } = parse(
    z.object({
      padding: z.union([z.number().int(), z.tuple([z.number().int(), z.number().int()]), z.tuple([z.tuple([z.number().int(), z.number().int()]), z.tuple([z.number().int(), z.number().int()])])]),
      data_format: channelsLast,
    }),
    layer,
  );
  const [[t, b], [l, r]] = typeof p === 'number' ? [[p, p], [p, p]] : typeof p[0] === 'number' ? [[p[0], p[0]], [p[1] as number, p[1] as number]] : (p as [[number, number], [number, number]]);
  const [c, h, w] = image(layer, x);
  const [pt, pl, pb, pr] = x.pendingPads ?? [0, 0, 0, 0];
  // Nothing is emitted yet: the next convolution takes these as its own pads.
  return { name: x.name, shape: [c, h, w], pendingPads: [pt + t, pl + l, pb + b, pr + r] };
};

const poolSchema = z.object({ pool_size: pair.default([2, 2]), strides: pair.nullable().default(null), padding: padding.default('valid'), data_format: channelsLast });

const pooling: LayerMapper = (layer, inputs, ctx) => {
  const cfg = parse(poolSchema, layer);
  // Pending zero padding becomes a Pad node: pool pads are not zeros (MaxPool ignores them).
  // Caveat: onnxruntime 1.30's PadFusion merges such a Pad into the pool and rejects the result
  // when the summed pads reach the kernel size; MobileNet-style models never pad before a pool.
  const x = ctx.materialize(single(layer, inputs));
  const [c, h, w] = image(layer, x);
  const [kh, kw] = cfg.pool_size;
  const strides = cfg.strides ?? cfg.pool_size;
  const [pt, pb] = cfg.padding === 'same' ? tfSamePadding(h, kh, strides[0]) : [0, 0];
  const [pl, pr] = cfg.padding === 'same' ? tfSamePadding(w, kw, strides[1]) : [0, 0];
  // TF averages over the real pixels only; ONNX's count_include_pad = 0 (the default) does the same.
  const y = ctx.builder.op(layer.className === 'MaxPooling2D' ? 'MaxPool' : 'AveragePool', [x.name], {
    kernel_shape: attr.ints([kh, kw]),
    strides: attr.ints(strides),
    pads: attr.ints([pt, pl, pb, pr]),
  });
  return { name: y, shape: [c, windowOutputSize(h, kh, strides[0], pt, pb), windowOutputSize(w, kw, strides[1], pl, pr)] };
};

const globalPooling: LayerMapper = (layer, inputs, ctx) => {
  const x = ctx.materialize(single(layer, inputs));
  const [c] = image(layer, x);
  const pooled = ctx.builder.op(layer.className === 'GlobalMaxPooling2D' ? 'GlobalMaxPool' : 'GlobalAveragePool', [x.name]);
  return { name: ctx.builder.op('Flatten', [pooled], { axis: attr.int(1) }), shape: [c] };
};

const flatten: LayerMapper = (layer, inputs, ctx) => {
  const x = ctx.materialize(single(layer, inputs));
  if (x.shape.length === 1) return x;
  const [c, h, w] = image(layer, x);
  // Keras flattens channels-last (h, w, c); back to NHWC first unless the map is 1×1.
  const source = h === 1 && w === 1 ? x.name : ctx.builder.op('Transpose', [x.name], { perm: attr.ints([0, 2, 3, 1]) });
  return { name: ctx.builder.op('Flatten', [source], { axis: attr.int(1) }), shape: [c * h * w] };
};

/** Layers that do nothing at inference time. */
const identity: LayerMapper = (layer, inputs) => single(layer, inputs);

export const LAYER_MAPPERS: Readonly<Record<string, LayerMapper>> = {
  Conv2D: convolution,
  DepthwiseConv2D: convolution,
  Dense: dense,
  BatchNormalization: batchNormalization,
  ReLU: relu,
  Activation: activationLayer,
  Add: add,
  Concatenate: concatenate,
  ZeroPadding2D: zeroPadding,
  AveragePooling2D: pooling,
  MaxPooling2D: pooling,
  GlobalAveragePooling2D: globalPooling,
  GlobalMaxPooling2D: globalPooling,
  Flatten: flatten,
  Dropout: identity,
  SpatialDropout2D: identity,
  GaussianNoise: identity,
  GaussianDropout: identity,
};

/** Layers whose output a following BatchNormalization can be folded into. */
export const FOLDS_BATCH_NORM = new Set(['Conv2D', 'DepthwiseConv2D', 'Dense']);
