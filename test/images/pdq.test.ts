import { describe, expect, it } from 'vitest';
import { hammingDistance, hashBitCount } from '../../shared/images/hash256.js';
import { DIHEDRAL_VARIANTS, dihedralDct, dihedralHashes, jaroszWindowSize, pdqFromLuma, pdqFromPixels } from '../../shared/images/pdq.js';

function noise(width: number, height: number, channels: number, seed = 7): Uint8Array {
  const out = new Uint8Array(width * height * channels);
  let s = seed;
  for (let i = 0; i < out.length; i++) out[i] = (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24;
  return out;
}

describe('PDQ algorithm on pixels', () => {
  it("uses the reference's blur windows: half of 1/64 of the side, rounded up", () => {
    expect(jaroszWindowSize(1024)).toBe(8);
    expect(jaroszWindowSize(512)).toBe(4);
    expect(jaroszWindowSize(321)).toBe(3);
    expect(jaroszWindowSize(128)).toBe(1);
    expect(jaroszWindowSize(64)).toBe(1);
  });

  it('sets exactly half the bits on a detailed image (threshold is the median)', () => {
    const r = pdqFromPixels(noise(300, 200, 3), 300, 200, 3);
    expect(hashBitCount(r.hash)).toBe(128);
  });

  it('refuses to hash images under 5 pixels on a side: zero hash, quality 0', () => {
    const r = pdqFromPixels(noise(4, 50, 3), 4, 50, 3);
    expect(hashBitCount(r.hash)).toBe(0);
    expect(r.quality).toBe(0);
  });

  it('rates a flat image quality 0 and a noisy one 100', () => {
    expect(pdqFromPixels(new Uint8Array(100 * 100 * 3).fill(128), 100, 100, 3).quality).toBe(0);
    expect(pdqFromPixels(noise(256, 256, 3), 256, 256, 3).quality).toBe(100);
  });

  it('reads grey pixels as luminance, and RGB through the Rec. 601 weights', () => {
    const grey = noise(80, 90, 1, 3);
    const rgb = new Uint8Array(grey.length * 3);
    grey.forEach((v, i) => rgb.fill(v, i * 3, i * 3 + 3));
    const a = pdqFromPixels(grey, 80, 90, 1);
    const b = pdqFromPixels(rgb, 80, 90, 3);
    expect(hammingDistance(a.hash, b.hash)).toBe(0);
    expect(a.quality).toBe(b.quality);
  });

  it('ignores an alpha channel', () => {
    const rgb = noise(70, 70, 3);
    const rgba = new Uint8Array(70 * 70 * 4);
    for (let p = 0; p < 70 * 70; p++) rgba.set([rgb[p * 3] ?? 0, rgb[p * 3 + 1] ?? 0, rgb[p * 3 + 2] ?? 0, p % 256], p * 4);
    expect(hammingDistance(pdqFromPixels(rgb, 70, 70, 3).hash, pdqFromPixels(rgba, 70, 70, 4).hash)).toBe(0);
  });

  it('rejects a buffer too short for the stated size', () => {
    expect(() => pdqFromPixels(new Uint8Array(10), 10, 10, 3)).toThrow(RangeError);
  });

  it('skips the blur for a 64x64 plane, as the reference does for pre-downsampled frames', () => {
    const luma = Float64Array.from(noise(64, 64, 1, 11));
    const r = pdqFromLuma(luma, 64, 64);
    expect(hashBitCount(r.hash)).toBe(128);
  });
});

describe('PDQ dihedral algebra', () => {
  const dct = pdqFromPixels(noise(128, 96, 3), 128, 96, 3).dct;

  it('gives eight distinct hashes for an asymmetric image', () => {
    const hashes = dihedralHashes(dct);
    const hexes = new Set(DIHEDRAL_VARIANTS.map((v) => Buffer.from(hashes[v].buffer).toString('hex')));
    expect(hexes.size).toBe(8);
  });

  it('composes like the symmetries of a square: two quarter turns are a half turn, a flip twice is nothing', () => {
    const twice90 = dihedralDct(dihedralDct(dct, 'rotate90'), 'rotate90');
    expect(Array.from(twice90)).toEqual(Array.from(dihedralDct(dct, 'rotate180')));
    const flipTwice = dihedralDct(dihedralDct(dct, 'flipX'), 'flipX');
    expect(Array.from(flipTwice)).toEqual(Array.from(dct));
    const r90then270 = dihedralDct(dihedralDct(dct, 'rotate90'), 'rotate270');
    expect(Array.from(r90then270)).toEqual(Array.from(dct));
    // flipX then flipY is a half turn
    expect(Array.from(dihedralDct(dihedralDct(dct, 'flipX'), 'flipY'))).toEqual(Array.from(dihedralDct(dct, 'rotate180')));
  });
});
