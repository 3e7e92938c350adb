import { crc32 } from 'node:zlib';
import sharp from 'sharp';

/**
 * Hostile and varied images for the image tests, made with sharp at run time so nothing binary
 * is checked in.
 */

/**
 * A valid PNG whose header declares `side` x `side` pixels (50,000 x 50,000 = 2.5 billion by
 * default) over a few hundred bytes of data: decoding it would allocate gigabytes, so it must be
 * refused from the header. The IHDR checksum is recomputed, so only the size is a lie.
 */
export async function decompressionBombPng(side = 50_000): Promise<Buffer> {
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#777777' } }).png().toBuffer();
  // Signature (8) + IHDR length (4) + "IHDR" (4), then width and height.
  png.writeUInt32BE(side, 16);
  png.writeUInt32BE(side, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  return png;
}

/** A textured picture with detail at several scales, so its PDQ quality is high. */
export async function texturedJpeg(seed: number, size = 480): Promise<Buffer> {
  const channels = 3;
  const pixels = Buffer.alloc(size * size * channels);
  let s = seed >>> 0 || 1;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const blobs = Array.from({ length: 40 }, () => ({ x: rand() * size, y: rand() * size, r: 10 + rand() * 80, c: [rand() * 255, rand() * 255, rand() * 255] }));
  // Waves at a few scales add the mid-frequency detail PDQ's quality metric counts.
  const waves = Array.from({ length: 4 }, () => ({ fx: (2 + rand() * 14) / size, fy: (2 + rand() * 14) / size, a: 25 + rand() * 35 }));
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let r = 128, g = 128, b = 128;
      for (const blob of blobs) {
        const d = Math.hypot(x - blob.x, y - blob.y);
        if (d < blob.r) {
          const w = 1 - d / blob.r;
          r = r * (1 - w) + (blob.c[0] ?? 0) * w;
          g = g * (1 - w) + (blob.c[1] ?? 0) * w;
          b = b * (1 - w) + (blob.c[2] ?? 0) * w;
        }
      }
      let wave = 0;
      for (const v of waves) wave += v.a * Math.sin(2 * Math.PI * v.fx * x) * Math.sin(2 * Math.PI * v.fy * y);
      r += wave;
      g += wave;
      b += wave;
      const o = (y * size + x) * channels;
      pixels[o] = Math.max(0, Math.min(255, r));
      pixels[o + 1] = Math.max(0, Math.min(255, g));
      pixels[o + 2] = Math.max(0, Math.min(255, b));
    }
  }
  return sharp(pixels, { raw: { width: size, height: size, channels } }).jpeg({ quality: 90 }).toBuffer();
}

/** The same picture as a platform might re-serve it: smaller and re-encoded. */
export async function resizedVariant(bytes: Buffer, width = 300): Promise<Buffer> {
  return sharp(bytes).resize(width).webp({ quality: 70 }).toBuffer();
}
