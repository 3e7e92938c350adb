/**
 * Bilinear resize with `align_corners = true`, written to reproduce TensorFlow.js's CPU kernel
 * (`tf.image.resizeBilinear(img, size, true)`) value for value. nsfwjs feeds its model through
 * that kernel, and sharp has no resampler with these semantics (its kernels are area-aware and
 * centre-aligned), so the image model's preprocessing computes it here instead.
 *
 * Input: interleaved 8-bit pixels (height × width × channels). Each byte is first mapped through
 * `lut` (nsfwjs normalises before resizing: `float32(byte / 255)`), then interpolated in double
 * precision and stored as float32, exactly as the tfjs kernel does.
 */
export interface InterleavedPixels {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

/** float32(v / divisor) for every byte value: the normalisation nsfwjs applies before resizing. */
export function byteScaleLut(divisor: number): Float32Array {
  const lut = new Float32Array(256);
  for (let v = 0; v < 256; v++) lut[v] = v / divisor;
  return lut;
}

/**
 * Resizes to `outHeight × outWidth` (interleaved, same channel count) into `out` at `offset`,
 * so a batch can be filled in place. Returns `out`.
 */
export function resizeBilinearAlignCorners(
  src: InterleavedPixels,
  outHeight: number,
  outWidth: number,
  lut: Float32Array,
  out: Float32Array = new Float32Array(outHeight * outWidth * src.channels),
  offset = 0,
): Float32Array {
  const { data, width, height, channels } = src;
  if (data.length !== width * height * channels) {
    throw new RangeError(`pixels: ${width}x${height}x${channels} needs ${width * height * channels} bytes, got ${data.length}`);
  }
  if (offset + outHeight * outWidth * channels > out.length) throw new RangeError('resize: output buffer too small');
  // tfjs: with align_corners the first and last samples sit on the first and last pixels.
  const rowRatio = outHeight > 1 ? (height - 1) / (outHeight - 1) : height / outHeight;
  const colRatio = outWidth > 1 ? (width - 1) / (outWidth - 1) : width / outWidth;
  const rowStride = width * channels;

  // Column sample positions are the same for every row: compute them once.
  const colLeft = new Int32Array(outWidth);
  const colRight = new Int32Array(outWidth);
  const colFrac = new Float64Array(outWidth);
  for (let c = 0; c < outWidth; c++) {
    const source = colRatio * c;
    const floor = Math.max(0, Math.floor(source));
    colLeft[c] = floor * channels;
    colRight[c] = Math.min(width - 1, Math.ceil(source)) * channels;
    colFrac[c] = source - floor;
  }

  let o = offset;
  for (let r = 0; r < outHeight; r++) {
    const source = rowRatio * r;
    const floor = Math.max(0, Math.floor(source));
    const rowFrac = source - floor;
    const top = floor * rowStride;
    const bottom = Math.min(height - 1, Math.ceil(source)) * rowStride;
    for (let c = 0; c < outWidth; c++) {
      const left = colLeft[c] as number;
      const right = colRight[c] as number;
      const cf = colFrac[c] as number;
      for (let d = 0; d < channels; d++) {
        const topLeft = lut[data[top + left + d] as number] as number;
        const topRight = lut[data[top + right + d] as number] as number;
        const bottomLeft = lut[data[bottom + left + d] as number] as number;
        const bottomRight = lut[data[bottom + right + d] as number] as number;
        const t = topLeft + (topRight - topLeft) * cf;
        const b = bottomLeft + (bottomRight - bottomLeft) * cf;
        out[o++] = t + (b - t) * rowFrac;
      }
    }
  }
  return out;
}
