import sharp from 'sharp';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ImageDecodeError, decodeImage, type ImageDecodeReason } from '../../shared/images/decode-image.js';
import { loadPdqReferenceData } from './pdq-reference-data.js';

const data = loadPdqReferenceData();

async function rejection(promise: Promise<unknown>): Promise<ImageDecodeError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ImageDecodeError) return err;
    throw err;
  }
  throw new Error('expected an ImageDecodeError, the image decoded');
}

async function expectReason(promise: Promise<unknown>, reason: ImageDecodeReason, message: RegExp): Promise<void> {
  const err = await rejection(promise);
  expect(err.reason).toBe(reason);
  expect(err.message).toMatch(message);
}

function solid(width: number, height: number, rgba: [number, number, number, number]) {
  return sharp({ create: { width, height, channels: 4, background: { r: rgba[0], g: rgba[1], b: rgba[2], alpha: rgba[3] / 255 } } });
}

/** Rewrite a PNG's IHDR dimensions (and its CRC) without touching the pixel data. */
function withPngSize(png: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(png);
  // signature (8) + IHDR length (4) + 'IHDR' (4), then width, height; CRC covers type + 13 data bytes
  out.writeUInt32BE(width, 16);
  out.writeUInt32BE(height, 20);
  out.writeUInt32BE(crc32(out.subarray(12, 29)), 29);
  return out;
}

describe('decodeImage', () => {
  it('decodes a JPEG to interleaved sRGB with its size and format', async () => {
    const img = await decodeImage(data.read('aaa-orig.jpg'));
    expect(img).toMatchObject({ width: 1600, height: 1004, channels: 3, format: 'jpeg', sourceWidth: 1600, sourceHeight: 1004, frames: 1 });
    expect(img.pixels.length).toBe(1600 * 1004 * 3);
  });

  it('shrinks to fit a square keeping the aspect ratio, and never enlarges', async () => {
    const big = await decodeImage(data.read('aaa-orig.jpg'), { fitWithin: 512 });
    expect([big.width, big.height]).toEqual([512, 321]);
    expect([big.sourceWidth, big.sourceHeight]).toEqual([1600, 1004]);
    const wee = await decodeImage(data.read('wee.jpg'), { fitWithin: 512 });
    expect([wee.width, wee.height]).toEqual([34, 42]);
  });

  it('flattens transparency onto white', async () => {
    const transparentRed = await solid(8, 8, [255, 0, 0, 0]).png().toBuffer();
    const img = await decodeImage(transparentRed);
    expect([...img.pixels.subarray(0, 3)]).toEqual([255, 255, 255]);
    const halfRed = await solid(8, 8, [255, 0, 0, 128]).png().toBuffer();
    const half = await decodeImage(halfRed);
    expect(half.pixels[0]).toBe(255);
    expect(Math.abs((half.pixels[1] ?? 0) - 127)).toBeLessThanOrEqual(2);
  });

  it('turns greyscale into three equal channels', async () => {
    const grey = await sharp({ create: { width: 6, height: 6, channels: 3, background: { r: 90, g: 90, b: 90 } } }).toColourspace('b-w').png().toBuffer();
    expect((await sharp(grey).metadata()).channels).toBe(1);
    const img = await decodeImage(grey);
    expect(img.channels).toBe(3);
    expect([...img.pixels.subarray(0, 3)]).toEqual([90, 90, 90]);
  });

  it('takes the first frame of an animated GIF and reports the frame count', async () => {
    const frames = [
      [255, 0, 0],
      [0, 0, 255],
      [0, 255, 0],
    ];
    const raw = Buffer.concat(frames.map((c) => Buffer.alloc(10 * 10 * 3).map((_, i) => c[i % 3] ?? 0)));
    const gif = await sharp(raw, { raw: { width: 10, height: 30, channels: 3, pageHeight: 10 } }).gif().toBuffer();
    expect((await sharp(gif).metadata()).pages).toBe(3);
    const img = await decodeImage(gif);
    expect([img.width, img.height, img.frames]).toEqual([10, 10, 3]);
    expect(img.pixels[0]).toBeGreaterThan(200);
    expect(img.pixels[2]).toBeLessThan(50);
  });

  it('rejects a truncated JPEG and a truncated PNG as corrupt, saying so', async () => {
    const jpeg = data.read('aaa-orig.jpg');
    await expectReason(decodeImage(jpeg.subarray(0, Math.floor(jpeg.length * 0.6))), 'corrupt', /truncated: it ends before its JPEG end-of-image marker/);
    const png = data.read('c.png');
    await expectReason(decodeImage(png.subarray(0, Math.floor(png.length * 0.6))), 'corrupt', /truncated: it ends before its PNG IEND chunk/);
  });

  it('names a truncation the same way while other decodes run alongside (libvips shares one error buffer)', async () => {
    const jpeg = data.read('aaa-orig.jpg');
    const cut = jpeg.subarray(0, Math.floor(jpeg.length / 2));
    const garbage = Buffer.from('definitely not an image');
    const outcomes = await Promise.allSettled(Array.from({ length: 24 }, (_, i) => decodeImage(i % 3 === 0 ? cut : i % 3 === 1 ? garbage : jpeg)));
    outcomes.forEach((o, i) => {
      if (i % 3 === 2) expect(o.status).toBe('fulfilled');
      else expect(o).toMatchObject({ status: 'rejected', reason: { reason: i % 3 === 0 ? 'corrupt' : 'unsupported' } });
      if (i % 3 === 0) expect((o as PromiseRejectedResult).reason.message).toMatch(/^the image is truncated: it ends before its JPEG end-of-image marker/);
    });
  });

  it('rejects a JPEG cut inside its header as corrupt', async () => {
    await expectReason(decodeImage(data.read('aaa-orig.jpg').subarray(0, 600)), 'corrupt', /could not be decoded|truncated/);
  });

  it('rejects empty input and non-images', async () => {
    await expectReason(decodeImage(Buffer.alloc(0)), 'corrupt', /empty/);
    await expectReason(decodeImage(Buffer.from('<html>not an image</html>')), 'unsupported', /format/);
  });

  it('refuses SVG even though sharp could render it', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>');
    await expectReason(decodeImage(svg), 'unsupported', /'svg' is not accepted/);
  });

  it('refuses more pixels than allowed, from the header, before decoding', async () => {
    await expectReason(decodeImage(data.read('aaa-orig.jpg'), { maxPixels: 1_000_000 }), 'too_many_pixels', /1600x1004 .*1000000/);
    // A tiny PNG whose header claims 20000x20000 (400 MP): the shape of a decompression bomb.
    const bomb = withPngSize(await solid(4, 4, [0, 0, 0, 255]).png().toBuffer(), 20000, 20000);
    expect((await sharp(bomb, { limitInputPixels: false }).metadata()).width).toBe(20000);
    await expectReason(decodeImage(bomb), 'too_many_pixels', /20000x20000/);
  });

  it('refuses more bytes than allowed', async () => {
    await expectReason(decodeImage(data.read('aaa-orig.jpg'), { maxBytes: 1000 }), 'too_large', /more than the 1000 allowed/);
  });
});
