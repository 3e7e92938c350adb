import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ImageDecodeError } from '../../shared/images/decode-image.js';
import { decodeRgb, preprocessNsfw } from '../../shared/images/nsfw-preprocess.js';
import { checkerboard224, corruptImages, gradientPng, tallGreyPng, translucentPng } from './nsfw-fixtures.js';

const SIZE = 224;
const at = (t: Float32Array, x: number, y: number, ch: number) => t[(y * SIZE + x) * 3 + ch] as number;

describe('nsfw preprocessing', () => {
  it('turns any image into 224×224×3 float32 NHWC values in [0, 1]', async () => {
    const t = await preprocessNsfw(await gradientPng(320, 200));
    expect(t).toBeInstanceOf(Float32Array);
    expect(t.length).toBe(SIZE * SIZE * 3);
    expect(t.reduce((m, v) => Math.min(m, v), Infinity)).toBe(0);
    expect(t.reduce((m, v) => Math.max(m, v), -Infinity)).toBe(1);
  });

  it('passes a 224×224 image through unresized, each byte divided by 255', async () => {
    const bytes = await checkerboard224();
    const t = await preprocessNsfw(bytes);
    const { data } = await decodeRgb(bytes);
    expect(t.length).toBe(data.length);
    const mismatches = [...data].filter((byte, i) => t[i] !== Math.fround(byte / 255)).length;
    expect(mismatches).toBe(0);
  });

  it('aligns corners: the four output corners are the four input corners', async () => {
    // Red grows to the right, green downwards, in a 320×200 image.
    const t = await preprocessNsfw(await gradientPng(320, 200));
    expect([at(t, 0, 0, 0), at(t, 0, 0, 1)]).toEqual([0, 0]);
    expect([at(t, SIZE - 1, 0, 0), at(t, SIZE - 1, 0, 1)]).toEqual([1, 0]);
    expect([at(t, 0, SIZE - 1, 0), at(t, 0, SIZE - 1, 1)]).toEqual([0, 1]);
    expect(at(t, SIZE - 1, SIZE - 1, 0)).toBe(1);
    expect(at(t, 0, 0, 2)).toBe(Math.fround(96 / 255));
  });

  it('reads grey images as three equal channels and shows transparency on white', async () => {
    const grey = await preprocessNsfw(await tallGreyPng());
    for (const i of [0, 5000, 100_000]) {
      expect(grey[i * 3]).toBe(grey[i * 3 + 1]);
      expect(grey[i * 3]).toBe(grey[i * 3 + 2]);
    }
    const rgba = await decodeRgb(await translucentPng());
    expect(rgba.channels).toBe(3);
    // Pixel (0, 0) is fully transparent (its hidden colour is 200, 0, 90); pixel (299, 0) is opaque.
    expect([...rgba.data.subarray(0, 3)]).toEqual([255, 255, 255]);
    expect([...rgba.data.subarray(299 * 3, 300 * 3)]).toEqual([200, (299 * 7) % 256, 90]);
  });

  it('applies the EXIF orientation, as a viewer sees the image', async () => {
    const landscape = await sharp(await gradientPng(60, 20)).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const pixels = await decodeRgb(landscape);
    expect([pixels.width, pixels.height]).toEqual([20, 60]);
  });

  it('rejects what is not a usable image with the decoder\'s typed error', async () => {
    const [garbage, truncated, empty] = await corruptImages();
    await expect(preprocessNsfw(garbage?.bytes as Buffer)).rejects.toMatchObject({ name: 'ImageDecodeError', reason: 'unsupported' });
    await expect(preprocessNsfw(truncated?.bytes as Buffer)).rejects.toMatchObject({ reason: 'corrupt' });
    await expect(preprocessNsfw(empty?.bytes as Buffer)).rejects.toMatchObject({ reason: 'corrupt' });
    const big = await gradientPng(320, 200);
    await expect(preprocessNsfw(big, undefined, { maxPixels: 320 * 200 - 1 })).rejects.toBeInstanceOf(ImageDecodeError);
    await expect(preprocessNsfw(big, undefined, { maxPixels: 320 * 200 - 1 })).rejects.toMatchObject({ reason: 'too_many_pixels' });
  });
});
