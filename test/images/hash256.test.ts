import { describe, expect, it } from 'vitest';
import {
  HashFormatError,
  emptyHash256,
  getHashBit,
  hammingDistance,
  hammingDistanceHex,
  hash256FromHex,
  hash256ToHex,
  hashBitCount,
  popcount32,
  setHashBit,
} from '../../shared/images/hash256.js';

describe('256-bit hash encoding', () => {
  it("prints the highest word first, as the reference's toHexString does", () => {
    const low = emptyHash256();
    setHashBit(low, 0);
    expect(hash256ToHex(low)).toBe(`${'0'.repeat(63)}1`);
    const high = emptyHash256();
    setHashBit(high, 255);
    expect(hash256ToHex(high)).toBe(`8${'0'.repeat(63)}`);
    const word1 = emptyHash256();
    setHashBit(word1, 16 + 4);
    expect(hash256ToHex(word1)).toBe(`${'0'.repeat(56)}00100000`);
  });

  it('round-trips hex, accepting upper case and printing lower case', () => {
    const hex = '0123456789abcdef'.repeat(3) + 'fedcba9876543212';
    expect(hash256ToHex(hash256FromHex(hex))).toBe(hex);
    expect(hash256ToHex(hash256FromHex(hex.toUpperCase()))).toBe(hex);
    const h = hash256FromHex(hex);
    expect(getHashBit(h, 0)).toBe(false); // last digit 2 = 0010
    expect(getHashBit(h, 1)).toBe(true);
    expect(getHashBit(h, 255)).toBe(false); // first digits 0, 1 = 0000 0001
    expect(getHashBit(h, 248)).toBe(true);
  });

  it('refuses anything that is not 64 hex digits', () => {
    for (const bad of ['', 'abc', `${'0'.repeat(63)}g`, `${'0'.repeat(65)}`, ` ${'0'.repeat(63)}`]) {
      expect(() => hash256FromHex(bad)).toThrow(HashFormatError);
    }
  });
});

describe('Hamming distance', () => {
  it('counts differing bits', () => {
    const zero = '0'.repeat(64);
    expect(hammingDistanceHex(zero, zero)).toBe(0);
    expect(hammingDistanceHex(zero, 'f'.repeat(64))).toBe(256);
    expect(hammingDistanceHex(zero, `${'0'.repeat(60)}0f01`)).toBe(5);
    expect(hammingDistanceHex(`8${'0'.repeat(63)}`, `${'0'.repeat(63)}1`)).toBe(2);
  });

  it('agrees with a bit-by-bit count on random hashes', () => {
    let seed = 12345;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) & 0xffff;
    for (let n = 0; n < 200; n++) {
      const a = Uint16Array.from({ length: 16 }, rnd);
      const b = Uint16Array.from({ length: 16 }, rnd);
      let slow = 0;
      for (let k = 0; k < 256; k++) if (getHashBit(a, k) !== getHashBit(b, k)) slow++;
      expect(hammingDistance(a, b)).toBe(slow);
    }
  });

  it('popcount32 handles the sign bit and all-ones', () => {
    expect(popcount32(0)).toBe(0);
    expect(popcount32(0xffffffff)).toBe(32);
    expect(popcount32(0x80000000)).toBe(1);
    expect(popcount32(-1)).toBe(32);
    expect(hashBitCount(hash256FromHex('f'.repeat(64)))).toBe(256);
  });
});
