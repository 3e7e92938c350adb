import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ImageDecodeError } from '../../shared/images/decode-image.js';
import { revealThumbnail, reviewThumbnail } from '../../shared/images/thumbnails.js';
import { decompressionBombPng, texturedJpeg } from './image-fixtures.js';

const stats = async (bytes: Buffer) => {
  const s = await sharp(bytes).stats();
  const meta = await sharp(bytes).metadata();
  return { sharpness: s.sharpness, channels: s.channels.map((c) => Math.round(c.mean)), meta };
};

describe('review thumbnails', () => {
  it('are small, grayscale and blurred by default', async () => {
    const photo = await texturedJpeg(5, 900);
    const thumb = await reviewThumbnail(photo);
    expect(thumb).toMatchObject({ contentType: 'image/webp', width: 320, height: 320, blurred: true });
    const s = await stats(thumb.bytes);
    expect(s.meta.format).toBe('webp');
    const [r, g, b] = s.channels;
    expect(r).toBe(g);
    expect(g).toBe(b);
    const revealed = await stats((await revealThumbnail(photo)).bytes);
    expect(s.sharpness).toBeLessThan(revealed.sharpness / 4);
  });

  it('reveal the picture unblurred and in colour, at the same size, as JPEG when asked', async () => {
    const photo = await texturedJpeg(6, 640);
    const thumb = await revealThumbnail(photo, { format: 'jpeg', side: 200 });
    expect(thumb).toMatchObject({ contentType: 'image/jpeg', width: 200, height: 200, blurred: false });
    const [r, g, b] = (await stats(thumb.bytes)).channels;
    expect(new Set([r, g, b]).size).toBeGreaterThan(1);
  });

  it('keep the aspect ratio, never enlarge, and carry no metadata of the original', async () => {
    const wide = await sharp(await texturedJpeg(7, 400)).resize(400, 100, { fit: 'fill' }).withExif({ IFD0: { Artist: 'someone', Copyright: 'x' } }).jpeg().toBuffer();
    const thumb = await reviewThumbnail(wide);
    expect([thumb.width, thumb.height]).toEqual([320, 80]);
    expect((await sharp(thumb.bytes).metadata()).exif).toBeUndefined();
    const tiny = await reviewThumbnail(await sharp(await texturedJpeg(8, 64)).toBuffer());
    expect([tiny.width, tiny.height]).toEqual([64, 64]);
  });

  it('refuse decompression bombs and corrupt files with a typed reason', async () => {
    await expect(reviewThumbnail(await decompressionBombPng())).rejects.toMatchObject({ name: 'ImageDecodeError', reason: 'too_many_pixels' });
    const err = await revealThumbnail(Buffer.from('GIF89a not really')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageDecodeError);
  });
});
