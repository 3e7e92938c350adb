import sharp from 'sharp';
import { ImageDecodeError } from '../images/decode-image.js';
import { loadMedia } from '../images/media-loader.js';
import { revealThumbnail, reviewThumbnail } from '../images/thumbnails.js';
import type { MediaRef } from '../items/item-schema.js';
import type { Db } from '../store/db.js';
import { ReviewError } from './review-errors.js';

export interface CaseThumbnail {
  bytes: Buffer;
  contentType: string;
  /** Set when the image could not be loaded or decoded and a placeholder stands in for it. */
  error?: string;
}

let placeholder: Promise<Buffer> | null = null;
const placeholderImage = () =>
  (placeholder ??= sharp({ create: { width: 320, height: 200, channels: 3, background: '#c9ced6' } }).webp({ quality: 50 }).toBuffer());

/**
 * The images of a case for the console: blurred and grayscale by default, sharp only on an
 * explicit reveal (shared/images/thumbnails.ts renders both). Bytes come through the media loader
 * (SSRF-safe fetches, capped inline data); an image that cannot be had becomes a grey placeholder
 * with the reason, never a 500.
 */
export class CaseMedia {
  constructor(private readonly db: Db) {}

  async thumbnail(subjectId: string, index: number, revealed: boolean): Promise<CaseThumbnail> {
    const r = await this.db.query<{ media: MediaRef[] }>('SELECT media FROM items WHERE id = $1', [subjectId]);
    const ref = r.rows[0]?.media?.[index];
    if (!ref) throw new ReviewError(404, 'not_found', `${subjectId} has no image ${index}`);
    const [source] = await loadMedia([ref], { concurrency: 1 });
    if (!source?.ok) return { bytes: await placeholderImage(), contentType: 'image/webp', error: source?.error ?? 'not loaded' };
    try {
      const t = revealed ? await revealThumbnail(source.bytes, { side: 640 }) : await reviewThumbnail(source.bytes);
      return { bytes: t.bytes, contentType: t.contentType };
    } catch (e) {
      if (!(e instanceof ImageDecodeError)) throw e;
      return { bytes: await placeholderImage(), contentType: 'image/webp', error: `${e.reason}: ${e.message}` };
    }
  }
}
