/**
 * A 256-bit perceptual hash (PDQ) as 16 words of 16 bits, laid out as Meta's reference does:
 * word i holds DCT row i, bit j of the word is DCT column j, so bit k of the hash is
 * word k >> 4, bit k & 15. The hex form prints word 15 first, each word as 4 hex digits,
 * which is the order ThreatExchange and the reference tools print and exchange.
 */
export type Hash256 = Uint16Array;

export const HASH256_WORDS = 16;
export const HASH256_BITS = 256;
export const HASH256_HEX_LENGTH = 64;

const HEX_RE = /^[0-9a-f]{64}$/i;

export class HashFormatError extends Error {
  override readonly name = 'HashFormatError';
}

export function emptyHash256(): Hash256 {
  return new Uint16Array(HASH256_WORDS);
}

export function setHashBit(hash: Hash256, k: number): void {
  const word = (k & 255) >> 4;
  hash[word] = (hash[word] ?? 0) | (1 << (k & 15));
}

export function getHashBit(hash: Hash256, k: number): boolean {
  return (((hash[(k & 255) >> 4] ?? 0) >> (k & 15)) & 1) === 1;
}

export function hash256ToHex(hash: Hash256): string {
  let out = '';
  for (let w = HASH256_WORDS - 1; w >= 0; w--) out += (hash[w] ?? 0).toString(16).padStart(4, '0');
  return out;
}

export function isHash256Hex(text: string): boolean {
  return HEX_RE.test(text);
}

export function hash256FromHex(text: string): Hash256 {
  if (!HEX_RE.test(text)) {
    throw new HashFormatError(`a 256-bit hash is 64 hex digits, got ${JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}...` : text)}`);
  }
  // Native hex decoding: banks load a million of these, and 16 parseInt calls each was the cost.
  const bytes = Buffer.from(text, 'hex');
  const hash = emptyHash256();
  for (let w = 0; w < HASH256_WORDS; w++) hash[w] = bytes.readUInt16BE((HASH256_WORDS - 1 - w) * 2);
  return hash;
}

/** Bits set in a 32-bit value (SWAR; JS has no popcount intrinsic). */
export function popcount32(v: number): number {
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

export function hammingDistance(a: Hash256, b: Hash256): number {
  let d = 0;
  for (let w = 0; w < HASH256_WORDS; w += 2) {
    const x = ((a[w] ?? 0) ^ (b[w] ?? 0)) | (((a[w + 1] ?? 0) ^ (b[w + 1] ?? 0)) << 16);
    d += popcount32(x);
  }
  return d;
}

export function hammingDistanceHex(a: string, b: string): number {
  return hammingDistance(hash256FromHex(a), hash256FromHex(b));
}

export function hashBitCount(hash: Hash256): number {
  return hammingDistance(hash, emptyHash256());
}
