import { z } from 'zod';
import { byteScaleLut, resizeBilinearAlignCorners, type InterleavedPixels } from './bilinear-resize.js';
import { decodeImage, type DecodeImageOptions } from './decode-image.js';

/**
 * Preprocessing for the nsfwjs image model (models/nsfw-mobilenet-v2), matching what
 * `NSFWJS.classify()` does to a decoded image tensor:
 *
 *   img.toFloat().div(255)                              → [0, 1], no mean/std
 *   tf.image.resizeBilinear(img, [224, 224], true)      → bilinear, align_corners, skipped at 224×224
 *   reshape([1, 224, 224, 3])                           → NHWC, RGB
 *
 * Decoding is not nsfwjs's (it takes pixels from the browser or tfjs-node); it is the project's
 * safe decoder (./decode-image.ts: format allow-list, byte and pixel caps, `failOn: 'error'`,
 * first frame, 8-bit sRGB, transparency flattened onto white), with the EXIF orientation applied:
 * the model is not rotation-invariant, and the orientation is what a viewer sees (browsers apply
 * it for nsfwjs too). Flattening differs from `tf.node.decodeImage(bytes, 3)`, which keeps the
 * colour under transparent pixels; scoring what is visible is the point, and opaque images are
 * unaffected.
 */

/** The featurizer name recorded in the manifest; the runner refuses any other. */
export const NSFW_FEATURIZER_NAME = 'nsfwjs-image';

/**
 * Manifest `featurizer.params`. Literals, not free values: a manifest that describes preprocessing
 * this module does not implement must fail at load, not silently score garbage.
 */
export const nsfwFeaturizerParamsSchema = z.object({
  /** Square input side in pixels. */
  size: z.number().int().positive(),
  resize: z.literal('bilinear'),
  alignCorners: z.literal(true),
  halfPixelCenters: z.literal(false),
  /** Channel order of the model input. */
  channels: z.literal('rgb'),
  colourspace: z.literal('srgb'),
  /** Transparent pixels are composited onto this background (white). */
  alpha: z.literal('flatten-white'),
  orientation: z.literal('exif'),
  /** value = byte / divideBy, so inputs lie in [0, 1]. */
  divideBy: z.literal(255),
  layout: z.literal('NHWC'),
  dtype: z.literal('float32'),
});
export type NsfwFeaturizerParams = z.infer<typeof nsfwFeaturizerParamsSchema>;

export const NSFW_FEATURIZER_PARAMS: NsfwFeaturizerParams = {
  size: 224,
  resize: 'bilinear',
  alignCorners: true,
  halfPixelCenters: false,
  channels: 'rgb',
  colourspace: 'srgb',
  alpha: 'flatten-white',
  orientation: 'exif',
  divideBy: 255,
  layout: 'NHWC',
  dtype: 'float32',
};

/**
 * Decodes to interleaved 8-bit sRGB, 3 channels, orientation applied. Throws the decoder's typed
 * ImageDecodeError (reason `corrupt`, `unsupported`, `too_many_pixels` or `too_large`).
 */
export async function decodeRgb(bytes: Uint8Array, options: DecodeImageOptions = {}): Promise<InterleavedPixels> {
  const image = await decodeImage(bytes, { autoOrient: true, ...options });
  return { data: image.pixels, width: image.width, height: image.height, channels: image.channels };
}

/** `divideBy` is the literal 255, so one lookup table serves every call. */
const DIVIDE_BY_255 = byteScaleLut(255);

/**
 * Decoded pixels → model input (size × size × 3 float32, NHWC without the batch axis), written
 * into `out` at `offset` when given so the runner fills its batch tensor in place.
 */
export function pixelsToNsfwInput(
  pixels: InterleavedPixels,
  params: NsfwFeaturizerParams = NSFW_FEATURIZER_PARAMS,
  out?: Float32Array,
  offset = 0,
): Float32Array {
  if (pixels.channels !== 3) throw new RangeError(`expected RGB pixels, got ${pixels.channels} channels`);
  return resizeBilinearAlignCorners(pixels, params.size, params.size, DIVIDE_BY_255, out, offset);
}

/** Image bytes → model input. Throws ImageDecodeError for anything that is not a usable image. */
export async function preprocessNsfw(
  bytes: Uint8Array,
  params: NsfwFeaturizerParams = NSFW_FEATURIZER_PARAMS,
  options: DecodeImageOptions = {},
): Promise<Float32Array> {
  return pixelsToNsfwInput(await decodeRgb(bytes, options), params);
}
