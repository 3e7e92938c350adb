import sharp from 'sharp';
import { decodeImage, type DecodeImageOptions } from './decode-image.js';

/**
 * Thumbnails for the review console (DESIGN §6.12: images stay blurred and grayscale until the
 * moderator asks).
 *
 * How to use them (review routes, issue 4):
 * - `reviewThumbnail(bytes)` for every case image by default: small, grayscale and blurred enough
 *   that the subject is recognisable as a kind of picture but not in detail.
 * - `revealThumbnail(bytes)` only when a signed-in moderator explicitly asks to see one image
 *   (a click on that image, not a page-wide toggle). Record who revealed what (an event or log
 *   line), and serve both with `Cache-Control: private, no-store` so no shared cache keeps them.
 * - Inputs are untrusted bytes (inline item data or fetched through safe-fetch): they go through
 *   decodeImage with its pixel and byte caps, so a decompression bomb or a corrupt file throws an
 *   ImageDecodeError (`reason`: corrupt | too_many_pixels | too_large | unsupported) that the
 *   route turns into a placeholder, never a 500.
 * - Output is re-encoded from decoded pixels only: no EXIF/GPS or other metadata of the original
 *   reaches the browser, and EXIF orientation is applied so pictures show upright.
 */

export interface ThumbnailOptions {
  /** Longest side in pixels; never enlarged. */
  side?: number;
  format?: 'webp' | 'jpeg';
  quality?: number;
  /** Gaussian sigma of the review blur, as a fraction of `side` (0.04 of 320 px = sigma 12.8). */
  blurFraction?: number;
  /** Decode limits (defaults: decode-image.ts caps). */
  decode?: Omit<DecodeImageOptions, 'fitWithin' | 'autoOrient'>;
}

export interface Thumbnail {
  bytes: Buffer;
  contentType: 'image/webp' | 'image/jpeg';
  width: number;
  height: number;
  blurred: boolean;
}

export const DEFAULT_THUMBNAIL_SIDE = 320;

/** Blurred, grayscale: what a moderator sees before asking. */
export function reviewThumbnail(bytes: Uint8Array, options: ThumbnailOptions = {}): Promise<Thumbnail> {
  return thumbnail(bytes, options, true);
}

/** Unblurred and in colour: only on a moderator's explicit reveal of this one image. */
export function revealThumbnail(bytes: Uint8Array, options: ThumbnailOptions = {}): Promise<Thumbnail> {
  return thumbnail(bytes, options, false);
}

async function thumbnail(bytes: Uint8Array, options: ThumbnailOptions, blurred: boolean): Promise<Thumbnail> {
  const side = options.side ?? DEFAULT_THUMBNAIL_SIDE;
  const format = options.format ?? 'webp';
  // Decoding shrinks to the thumbnail size at once, so a large photo never sits in memory full size twice.
  const image = await decodeImage(bytes, { ...options.decode, fitWithin: side, autoOrient: true });
  let pipeline = sharp(image.pixels, { raw: { width: image.width, height: image.height, channels: image.channels } });
  if (blurred) {
    const sigma = Math.max(1, (options.blurFraction ?? 0.04) * Math.max(image.width, image.height));
    pipeline = pipeline.greyscale().blur(sigma);
  }
  const quality = options.quality ?? 70;
  pipeline = format === 'webp' ? pipeline.webp({ quality }) : pipeline.jpeg({ quality, mozjpeg: true });
  const { data, info } = await pipeline.toBuffer({ resolveWithObject: true });
  return { bytes: data, contentType: format === 'webp' ? 'image/webp' : 'image/jpeg', width: info.width, height: info.height, blurred };
}
