import sharp, { type Metadata } from 'sharp';
import { z } from 'zod';
import { missingEndMarker } from './end-marker.js';

/**
 * Decoding untrusted image bytes into raw sRGB pixels, with the limits that keep one hostile file
 * from costing more than it is worth. Everything that can go wrong becomes an ImageDecodeError
 * with a reason code a caller can branch on and a message a moderator can read.
 *
 * Choices worth knowing:
 * - Only raster formats we expect from a messaging platform are accepted. SVG and PDF are refused
 *   (`unsupported`): they are programs more than pictures, and hashing a rasterised SVG says little.
 * - Transparency is flattened onto white: what a viewer sees on a light background. Keeping the
 *   colour under transparent pixels (the reference's `convert('RGB')`) would let a sender hide an
 *   image in invisible pixels, or dodge a hash by scrambling them. Opaque images hash the same
 *   either way (measured on the reference's c.png).
 * - Animated images (GIF, WebP, multi-page TIFF) decode their first frame only.
 * - EXIF orientation is NOT applied by default, as in the reference implementations: hashes
 *   shared through ThreatExchange were made that way, and dihedral matching covers rotations.
 * - Truncated and broken pixel data is rejected (`failOn: 'error'`). The stricter `'warning'`
 *   would also reject files that every viewer shows (stray bytes in a marker segment), which lets a
 *   sender dodge hash matching with one junk byte; callers record the failure rather than drop it.
 */

export type ImageDecodeReason = 'corrupt' | 'too_many_pixels' | 'too_large' | 'unsupported';

export class ImageDecodeError extends Error {
  override readonly name = 'ImageDecodeError';
  constructor(
    readonly reason: ImageDecodeReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const DEFAULT_MAX_IMAGE_PIXELS = 50_000_000;
export const DEFAULT_MAX_IMAGE_BYTES = 20 * 1024 * 1024;
export const DEFAULT_IMAGE_FORMATS = ['jpeg', 'png', 'webp', 'gif', 'heif', 'avif', 'tiff'] as const;

export const decodeImageOptionsSchema = z.object({
  /** Width x height above which nothing is decoded; checked from the header before any pixel. */
  maxPixels: z.number().int().positive().default(DEFAULT_MAX_IMAGE_PIXELS),
  /** Encoded size cap. */
  maxBytes: z.number().int().positive().default(DEFAULT_MAX_IMAGE_BYTES),
  /** Shrink (never enlarge) to fit a square of this side, keeping the aspect ratio. */
  fitWithin: z.number().int().positive().optional(),
  /** sharp's `failOn`: how bad pixel data must be before decoding gives up. */
  failOn: z.enum(['none', 'truncated', 'error', 'warning']).default('error'),
  /** Apply EXIF orientation. Off by default to hash what the reference hashes. */
  autoOrient: z.boolean().default(false),
  formats: z.array(z.string()).min(1).default([...DEFAULT_IMAGE_FORMATS]),
});
export type DecodeImageOptions = z.input<typeof decodeImageOptionsSchema>;

export interface DecodedImage {
  /** Interleaved sRGB, 3 bytes per pixel, row-major. */
  pixels: Buffer;
  width: number;
  height: number;
  channels: 3;
  format: string;
  /** Size before any `fitWithin` shrink. */
  sourceWidth: number;
  sourceHeight: number;
  /** Frames or pages in the file; only the first was decoded. */
  frames: number;
}

export async function decodeImage(bytes: Uint8Array, options: DecodeImageOptions = {}): Promise<DecodedImage> {
  const opts = decodeImageOptionsSchema.parse(options);
  if (bytes.length === 0) throw new ImageDecodeError('corrupt', 'the image is empty (0 bytes)');
  if (bytes.length > opts.maxBytes) {
    throw new ImageDecodeError('too_large', `the image is ${bytes.length} bytes, more than the ${opts.maxBytes} allowed`);
  }
  const input = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);

  // Header first: format and dimensions cost nothing to read and decide whether we decode at all.
  let meta: Metadata;
  try {
    meta = await sharp(input, { limitInputPixels: false, failOn: opts.failOn }).metadata();
  } catch (err) {
    throw classifySharpError(err);
  }
  if (!opts.formats.includes(meta.format)) {
    throw new ImageDecodeError('unsupported', `image format '${meta.format}' is not accepted (accepted: ${opts.formats.join(', ')})`);
  }
  const width = meta.width;
  const height = meta.height;
  if (!width || !height) throw new ImageDecodeError('corrupt', 'the image header has no dimensions');
  if (width * height > opts.maxPixels) {
    throw new ImageDecodeError('too_many_pixels', `the image is ${width}x${height} (${width * height} pixels), more than the ${opts.maxPixels} allowed`);
  }

  try {
    let pipeline = sharp(input, { limitInputPixels: opts.maxPixels, failOn: opts.failOn, pages: 1, page: 0 });
    if (opts.autoOrient) pipeline = pipeline.autoOrient();
    pipeline = pipeline.flatten({ background: { r: 255, g: 255, b: 255 } }).toColourspace('srgb');
    if (opts.fitWithin) pipeline = pipeline.resize(opts.fitWithin, opts.fitWithin, { fit: 'inside', withoutEnlargement: true });
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new ImageDecodeError('unsupported', `decoding gave ${info.channels} channels where 3 (sRGB) were expected`);
    return {
      pixels: data,
      width: info.width,
      height: info.height,
      channels: 3,
      format: meta.format,
      sourceWidth: width,
      sourceHeight: height,
      frames: meta.pages ?? 1,
    };
  } catch (err) {
    const missing = err instanceof ImageDecodeError ? null : missingEndMarker(input, meta.format);
    if (missing) throw new ImageDecodeError('corrupt', `the image is truncated: ${missing} (${sharpMessage(err)})`, { cause: err });
    throw classifySharpError(err);
  }
}

/** sharp reports everything as a plain Error; its messages are stable enough to sort into codes. */
function classifySharpError(err: unknown): ImageDecodeError {
  if (err instanceof ImageDecodeError) return err;
  const message = sharpMessage(err);
  if (/unsupported image format/i.test(message)) return new ImageDecodeError('unsupported', 'not an image in a format we can read', { cause: err });
  if (/pixel limit/i.test(message)) return new ImageDecodeError('too_many_pixels', 'the image has more pixels than allowed', { cause: err });
  if (/premature end|truncat|read error/i.test(message)) return new ImageDecodeError('corrupt', `the image is truncated or damaged (${message})`, { cause: err });
  return new ImageDecodeError('corrupt', `the image could not be decoded (${message})`, { cause: err });
}

function sharpMessage(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]?.trim() || 'unknown error';
}
