import { decodeImage, type DecodeImageOptions } from './decode-image.js';
import { dihedralHashes, pdqFromPixels, type DihedralVariant, type PdqResult } from './pdq.js';
import type { Hash256 } from './hash256.js';

/**
 * Images are shrunk to fit 512x512, keeping the aspect ratio, before PDQ sees them. Both
 * references pre-shrink to 512 because the full-resolution tent filter costs a lot and adds
 * nothing at a 64x64 output; they differ in how: the Python one keeps the aspect ratio
 * (PIL `thumbnail`), the C++ tool squashes to 512x512. Keeping the ratio is what the published
 * hashes in shared/data/pdq were made with, and measured over those 15 images (sharp's default
 * lanczos3): keep-ratio 512 gives at most 2 bits off (12 in total), squashing to 512x512 gives up
 * to 10 (68 in total), no pre-shrink up to 12 (60 in total).
 */
export const PDQ_PRESHRINK_SIDE = 512;

export interface PdqImageResult extends PdqResult {
  format: string;
  /** Dimensions of the file before the pre-shrink. */
  width: number;
  height: number;
}

export type PdqImageOptions = Omit<DecodeImageOptions, 'fitWithin'>;

/** Decode (with decode-image.ts's limits) and hash. Throws ImageDecodeError on a bad image. */
export async function pdqHashImage(bytes: Uint8Array, options: PdqImageOptions = {}): Promise<PdqImageResult> {
  const image = await decodeImage(bytes, { ...options, fitWithin: PDQ_PRESHRINK_SIDE });
  const result = pdqFromPixels(image.pixels, image.width, image.height, image.channels);
  return { ...result, format: image.format, width: image.sourceWidth, height: image.sourceHeight };
}

export interface PdqDihedralImageResult extends PdqImageResult {
  variants: Record<DihedralVariant, Hash256>;
}

/** The hash plus its seven rotated/mirrored siblings, all from one decode. */
export async function pdqHashImageDihedral(bytes: Uint8Array, options: PdqImageOptions = {}): Promise<PdqDihedralImageResult> {
  const result = await pdqHashImage(bytes, options);
  return { ...result, variants: dihedralHashes(result.dct) };
}
