import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { hammingDistance, hash256FromHex, hash256ToHex } from '../../shared/images/hash256.js';
import { pdqFromPixels } from '../../shared/images/pdq.js';
import { pdqHashImage } from '../../shared/images/pdq-image.js';
import { loadPdqReferenceData } from './pdq-reference-data.js';

// Meta's conformance rule: a PDQ implementation is within Hamming distance 10 of the reference on
// the same file (decoders and resamplers differ by a few bits), and identical pixels hash identically.
const CONFORMANCE_DISTANCE = 10;

const data = loadPdqReferenceData();

describe('PDQ conformance with the reference hashes (shared/data/pdq)', () => {
  it('has a published hash for every image in the folder, and an image for every hash', () => {
    expect(data.imageFiles.length).toBeGreaterThanOrEqual(15);
    expect(data.rows.map((r) => r.file).sort()).toEqual(data.imageFiles);
  });

  it.each(data.imageFiles)('%s hashes within distance 10 of the reference', async (file) => {
    const row = data.rows.find((r) => r.file === file);
    if (!row) throw new Error(`${file} has no row in expected.csv`);
    const result = await pdqHashImage(data.read(file));
    const distance = hammingDistance(result.hash, hash256FromHex(row.pdq_hex));
    expect(distance, `${file}: ours ${hash256ToHex(result.hash)} vs reference ${row.pdq_hex}`).toBeLessThanOrEqual(CONFORMANCE_DISTANCE);
    expect(Number.isInteger(result.quality) && result.quality >= 0 && result.quality <= 100).toBe(true);
    if (row.quality !== undefined) expect(Math.abs(result.quality - row.quality)).toBeLessThanOrEqual(10);
  });

  it('stays far closer than the bound on the whole set (measured: at most 2 bits off)', async () => {
    const distances: number[] = [];
    for (const row of data.rows) {
      const result = await pdqHashImage(data.read(row.file));
      distances.push(hammingDistance(result.hash, hash256FromHex(row.pdq_hex)));
    }
    // A regression guard tighter than Meta's rule: a slip in the filter or DCT costs tens of bits.
    expect(Math.max(...distances)).toBeLessThanOrEqual(4);
  });

  it('reports quality: 100 for the detailed bridge photo, 0 for the smooth gradient of small.jpg', async () => {
    expect((await pdqHashImage(data.read('aaa-orig.jpg'))).quality).toBe(100);
    expect((await pdqHashImage(data.read('small.jpg'))).quality).toBe(0);
  });
});

describe('PDQ determinism', () => {
  it('gives the identical hash for the same bytes on every run', async () => {
    const bytes = data.read('aaa-orig.jpg');
    const runs = await Promise.all([1, 2, 3].map(() => pdqHashImage(bytes)));
    const hexes = new Set(runs.map((r) => hash256ToHex(r.hash)));
    expect(hexes.size).toBe(1);
    expect(new Set(runs.map((r) => r.quality)).size).toBe(1);
  });

  it('gives the identical hash for identical pixels in a different container (lossless PNG re-encode)', async () => {
    const original = data.read('c.png');
    const { data: pixels, info } = await sharp(original).flatten({ background: '#ffffff' }).raw().toBuffer({ resolveWithObject: true });
    const reencoded = await sharp(pixels, { raw: { width: info.width, height: info.height, channels: info.channels } }).png({ compressionLevel: 9 }).toBuffer();
    expect(reencoded.equals(original)).toBe(false);
    const a = await pdqHashImage(original);
    const b = await pdqHashImage(reencoded);
    expect(hash256ToHex(b.hash)).toBe(hash256ToHex(a.hash));
    expect(b.quality).toBe(a.quality);
  });

  it('hashes the same pixel buffer identically, and does not modify it', () => {
    const width = 97;
    const height = 61;
    const pixels = new Uint8Array(width * height * 3);
    for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7919) % 251;
    const copy = pixels.slice();
    const a = pdqFromPixels(pixels, width, height, 3);
    const b = pdqFromPixels(pixels, width, height, 3);
    expect(hash256ToHex(a.hash)).toBe(hash256ToHex(b.hash));
    expect(Buffer.from(pixels).equals(Buffer.from(copy))).toBe(true);
  });
});
