import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { seededRandom } from '../../models/tools/tfjs/parity-check.js';

/** Test images for the image model: synthetic ones made with sharp, and the shared PDQ set. */

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const NSFW_MODEL_DIR = path.join(REPO_ROOT, 'models/nsfw-mobilenet-v2');
/** The shared data folder sits next to the repository: <repo>/../shared/data/pdq/images. */
export const PDQ_IMAGES_DIR = path.resolve(REPO_ROOT, '../shared/data/pdq/images');

export interface NamedImage {
  name: string;
  bytes: Buffer;
}

function rawImage(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): Buffer {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y);
      data.set([r, g, b], (y * width + x) * 3);
    }
  return data;
}

export async function gradientPng(width = 320, height = 200): Promise<Buffer> {
  const raw = rawImage(width, height, (x, y) => [Math.round((255 * x) / (width - 1)), Math.round((255 * y) / (height - 1)), 96]);
  return sharp(raw, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

export async function noiseJpeg(width = 97, height = 131, seed = 7): Promise<Buffer> {
  const random = seededRandom(seed);
  const raw = rawImage(width, height, () => [Math.floor(random() * 256), Math.floor(random() * 256), Math.floor(random() * 256)]);
  return sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
}

export async function shapesPng(width = 640, height = 360): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <rect width="100%" height="100%" fill="#e8d9c4"/>
    <circle cx="${width * 0.3}" cy="${height * 0.5}" r="${height * 0.3}" fill="#c8a07a"/>
    <rect x="${width * 0.55}" y="${height * 0.2}" width="${width * 0.3}" height="${height * 0.55}" fill="#3a5f8f"/>
    <polygon points="10,${height - 10} ${width / 2},${height * 0.6} ${width - 10},${height - 10}" fill="#2f7d3a"/>
  </svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** Exactly the model's input size: nsfwjs skips its resize for these. */
export async function checkerboard224(): Promise<Buffer> {
  const raw = rawImage(224, 224, (x, y) => ((Math.floor(x / 16) + Math.floor(y / 16)) % 2 ? [240, 200, 170] : [30, 40, 60]));
  return sharp(raw, { raw: { width: 224, height: 224, channels: 3 } }).png().toBuffer();
}

/** Tall, thin and grey: one channel in the file. */
export async function tallGreyPng(): Promise<Buffer> {
  const raw = rawImage(50, 400, (_x, y) => [y % 256, y % 256, y % 256]);
  return sharp(raw, { raw: { width: 50, height: 400, channels: 3 } }).toColourspace('b-w').png().toBuffer();
}

/** RGBA with a transparent half. */
export async function translucentPng(): Promise<Buffer> {
  const width = 300;
  const height = 300;
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([200, (i * 7) % 256, 90, i % width < 150 ? 0 : 255], i * 4);
  return sharp(data, { raw: { width, height, channels: 4 } }).png().toBuffer();
}

export async function syntheticImages(): Promise<NamedImage[]> {
  return [
    { name: 'gradient-320x200.png', bytes: await gradientPng() },
    { name: 'noise-97x131.jpg', bytes: await noiseJpeg() },
    { name: 'shapes-640x360.png', bytes: await shapesPng() },
    { name: 'checker-224x224.png', bytes: await checkerboard224() },
    { name: 'grey-50x400.png', bytes: await tallGreyPng() },
    { name: 'rgba-300x300.png', bytes: await translucentPng() },
  ];
}

/** Reads the named PDQ images; a missing shared data folder is a setup error, said plainly. */
export async function pdqImages(names: readonly string[]): Promise<NamedImage[]> {
  try {
    await access(PDQ_IMAGES_DIR);
  } catch {
    throw new Error(`shared test images not found at ${PDQ_IMAGES_DIR} (expected <repo>/../shared/data/pdq/images)`);
  }
  return Promise.all(names.map(async (name) => ({ name, bytes: await readFile(path.join(PDQ_IMAGES_DIR, name)) })));
}

/** Bytes that are no image at all, and a JPEG cut in half. */
export async function corruptImages(): Promise<NamedImage[]> {
  const jpeg = await noiseJpeg(64, 64, 3);
  return [
    { name: 'garbage', bytes: Buffer.from('definitely not an image') },
    { name: 'truncated.jpg', bytes: jpeg.subarray(0, Math.floor(jpeg.length / 2)) },
    { name: 'empty', bytes: Buffer.alloc(0) },
  ];
}
