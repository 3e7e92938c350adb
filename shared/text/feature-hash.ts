/**
 * 32-bit FNV-1a over UTF-16 code units with a murmur3 finaliser. FNV alone leaves the low bits
 * poorly mixed, and buckets are taken from the low bits (a power-of-two mask), so every feature
 * hash passes through fmix32 once. All arithmetic stays in int32 (Math.imul), no allocation.
 */

export const FNV_PRIME = 16777619;
/** Distinct offset bases keep character n-grams, words and word pairs in separate hash spaces. */
export const CHAR_BASIS = 2166136261 | 0;
export const WORD_BASIS = (2166136261 ^ 0x9e3779b9) | 0;

export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

/** FNV-1a of a whole string from a given basis (unmixed; callers finalise with fmix32). */
export function fnv1a(s: string, basis: number): number {
  let h = basis;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h;
}

/** A word pair's hash from its two word hashes; order matters ("not buy" ≠ "buy not"). */
export function pairHash(a: number, b: number): number {
  return fmix32(Math.imul(a ^ 0x27d4eb2f, FNV_PRIME) ^ Math.imul(b, 0x165667b1));
}
