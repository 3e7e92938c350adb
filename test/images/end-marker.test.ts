import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { missingEndMarker } from '../../shared/images/end-marker.js';

const picture = () => sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 200, g: 40, b: 90 } } });

describe('missingEndMarker', () => {
  it('finds nothing missing in whole JPEG, PNG, GIF and WebP files', async () => {
    for (const format of ['jpeg', 'png', 'gif', 'webp'] as const) {
      const bytes = await picture().toFormat(format).toBuffer();
      expect(missingEndMarker(bytes, format), format).toBeNull();
    }
  });

  it('names the missing end of each format when the file is cut short', async () => {
    const cut = async (format: 'jpeg' | 'png' | 'gif' | 'webp') => {
      const bytes = await picture().toFormat(format).toBuffer();
      return missingEndMarker(bytes.subarray(0, bytes.length - 14), format);
    };
    expect(await cut('jpeg')).toMatch(/JPEG end-of-image marker/);
    expect(await cut('png')).toMatch(/PNG IEND chunk/);
    expect(await cut('webp')).toMatch(/RIFF header declares \d+ bytes but only \d+ arrived/);
  });

  it('accepts a JPEG with bytes after its end marker, as phones write them', async () => {
    const bytes = Buffer.concat([await picture().jpeg().toBuffer(), Buffer.alloc(300, 0)]);
    expect(missingEndMarker(bytes, 'jpeg')).toBeNull();
  });

  it('has no opinion on formats without a marker it checks', () => {
    expect(missingEndMarker(Buffer.from('II*\0'), 'tiff')).toBeNull();
  });
});
