/**
 * Weight layouts and padding arithmetic between TensorFlow/Keras (channels-last, HWIO kernels)
 * and ONNX (channels-first, OIHW kernels). Pure functions, so they are easy to check by hand.
 */

/** Conv2D kernel [kh, kw, in, out] → ONNX Conv weight [out, in, kh, kw]. */
export function conv2dKernelToOihw(w: Float32Array, [kh, kw, cin, cout]: readonly number[]): Float32Array {
  if (kh === undefined || kw === undefined || cin === undefined || cout === undefined) throw new RangeError('conv kernel must be 4-D');
  const out = new Float32Array(w.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++) out[((o * cin + i) * kh + y) * kw + x] = w[((y * kw + x) * cin + i) * cout + o] as number;
  return out;
}

/**
 * DepthwiseConv2D kernel [kh, kw, in, multiplier] → ONNX grouped Conv weight [in * multiplier, 1, kh, kw]
 * (group = in). TensorFlow orders the outputs channel-major: output c * multiplier + m comes from input c.
 */
export function depthwiseKernelToOihw(w: Float32Array, [kh, kw, cin, mult]: readonly number[]): Float32Array {
  if (kh === undefined || kw === undefined || cin === undefined || mult === undefined) throw new RangeError('depthwise kernel must be 4-D');
  const out = new Float32Array(w.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let c = 0; c < cin; c++)
        for (let m = 0; m < mult; m++) out[((c * mult + m) * kh + y) * kw + x] = w[((y * kw + x) * cin + c) * mult + m] as number;
  return out;
}

export interface BatchNormParams {
  gamma?: Float32Array;
  beta?: Float32Array;
  mean: Float32Array;
  variance: Float32Array;
  epsilon: number;
}

/**
 * Folds an inference-mode batch norm into the preceding convolution or dense layer:
 *   y = gamma * (Wx + b - mean) / sqrt(var + eps) + beta
 *     = (W * s) x + (b - mean) * s + beta,   s = gamma / sqrt(var + eps)
 * `weight` has the output channel as its outermost axis (OIHW) unless `outAxisLast` (Dense [in, out]).
 */
export function foldBatchNorm(
  weight: Float32Array,
  bias: Float32Array | undefined,
  outChannels: number,
  bn: BatchNormParams,
  outAxisLast = false,
): { weight: Float32Array; bias: Float32Array } {
  if (bn.mean.length !== outChannels || bn.variance.length !== outChannels) {
    throw new RangeError(`batch norm has ${bn.mean.length} channels, layer has ${outChannels}`);
  }
  const scale = new Float64Array(outChannels);
  const newBias = new Float32Array(outChannels);
  for (let o = 0; o < outChannels; o++) {
    const s = (bn.gamma ? (bn.gamma[o] as number) : 1) / Math.sqrt((bn.variance[o] as number) + bn.epsilon);
    scale[o] = s;
    newBias[o] = ((bias ? (bias[o] as number) : 0) - (bn.mean[o] as number)) * s + (bn.beta ? (bn.beta[o] as number) : 0);
  }
  const newWeight = new Float32Array(weight.length);
  const perOut = weight.length / outChannels;
  for (let i = 0; i < weight.length; i++) {
    const o = outAxisLast ? i % outChannels : Math.floor(i / perOut);
    newWeight[i] = (weight[i] as number) * (scale[o] as number);
  }
  return { weight: newWeight, bias: newBias };
}

/**
 * TensorFlow 'same' padding along one axis: output = ceil(in / stride), and the total padding
 * needed is split with the odd pixel at the end (bottom/right). ONNX's symmetric-looking
 * explicit pads can express that; `auto_pad` is avoided because it is deprecated-in-spirit and
 * hides the numbers.
 */
export function tfSamePadding(inSize: number, kernel: number, stride: number, dilation = 1): [number, number] {
  const effectiveKernel = (kernel - 1) * dilation + 1;
  const outSize = Math.ceil(inSize / stride);
  const total = Math.max((outSize - 1) * stride + effectiveKernel - inSize, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** Output length of a convolution or pooling window along one axis. */
export function windowOutputSize(inSize: number, kernel: number, stride: number, padBefore: number, padAfter: number, dilation = 1): number {
  const effectiveKernel = (kernel - 1) * dilation + 1;
  return Math.floor((inSize + padBefore + padAfter - effectiveKernel) / stride) + 1;
}
