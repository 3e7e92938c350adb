import sharp from 'sharp';
import { DEFAULT_MAX_IMAGE_PIXELS } from '../images/decode-image.js';
import { loadMedia } from '../images/media-loader.js';
import type { MediaRef } from '../items/item-schema.js';
import type { Db } from '../store/db.js';
import { ReviewError } from './review-errors.js';

export interface Thumbnail {
  bytes: Buffer;
  mime: 'image/webp';
}

/**
 * Thumbnails of a case's images for the console: blurred and grayscale by default, sharp only on
 * an explicit reveal (DESIGN §6.12). Bytes come through the media loader (SSRF-safe fetches,
 * capped inline data) and are re-encoded, so what reaches the browser is always our own WebP.
 *
 * The images engineer is writing shared/images/thumbnails.ts; until it lands, the two renderings
 * live here (a few lines of sharp) and should move there when it does.
 */
export class CaseMedia {
  constructor(private readonly db: Db) {}

  async thumbnail(subjectId: string, index: number, revealed: boolean): Promise<Thumbnail> {
    const r = await this.db.query<{ media: MediaRef[] }>('SELECT media FROM items WHERE id = $1', [subjectId]);
    const ref = r.rows[0]?.media?.[index];
    if (!ref) throw new ReviewError(404, 'not_found', `${subjectId} has no image ${index}`);
    const [source] = await loadMedia([ref], { concurrency: 1 });
    if (!source?.ok) throw new ReviewError(404, 'not_found', `image ${index} of ${subjectId} cannot be loaded: ${source?.error ?? 'unknown'}`);
    try {
      return { bytes: await render(source.bytes, revealed), mime: 'image/webp' };
    } catch (e) {
      throw new ReviewError(404, 'not_found', `image ${index} of ${subjectId} cannot be decoded: ${(e as Error).message}`);
    }
  }
}

export async function render(bytes: Buffer, revealed: boolean): Promise<Buffer> {
  const img = sharp(bytes, { limitInputPixels: DEFAULT_MAX_IMAGE_PIXELS, failOn: 'error', animated: false }).rotate();
  if (revealed) return img.resize(640, 640, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 80 }).toBuffer();
  // Downscale first so the blur hides detail at any input size; grayscale removes the colour cue too.
  return img.resize(320, 320, { fit: 'inside', withoutEnlargement: true }).grayscale().blur(14).webp({ quality: 60 }).toBuffer();
}
