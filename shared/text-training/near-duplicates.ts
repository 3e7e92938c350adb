import { CHAR_BASIS, FNV_PRIME, fmix32 } from '../text/feature-hash.js';

/**
 * Groups near-identical texts (templated posts that differ in a price, a city or a handle) so a
 * split can keep each group on one side: otherwise held-out scores measure memory, not learning.
 * Texts are compared as sets of character 5-gram shingles of their normalised form; MinHash with
 * LSH banding proposes candidate pairs, and the exact Jaccard similarity decides.
 */

const SHINGLE = 5;
const HASHES = 64;
const BANDS = 32;
const ROWS = HASHES / BANDS;

export function shingles(normalized: string): Int32Array {
  const s = normalized.replace(/\s+/g, ' ');
  const set = new Set<number>();
  if (s.length <= SHINGLE) {
    set.add(fmix32(hashRange(s, 0, s.length)));
  } else {
    for (let i = 0; i + SHINGLE <= s.length; i++) set.add(fmix32(hashRange(s, i, i + SHINGLE)));
  }
  return Int32Array.from([...set].sort((a, b) => a - b));
}

function hashRange(s: string, from: number, to: number): number {
  let h = CHAR_BASIS;
  for (let i = from; i < to; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h;
}

/** Exact Jaccard of two sorted shingle sets. */
export function jaccard(a: Int32Array, b: Int32Array): number {
  let i = 0;
  let j = 0;
  let inter = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as number;
    const y = b[j] as number;
    if (x === y) {
      inter++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  const union = a.length + b.length - inter;
  return union ? inter / union : 1;
}

function minhash(sh: Int32Array): Int32Array {
  const sig = new Int32Array(HASHES).fill(0x7fffffff);
  for (let k = 0; k < HASHES; k++) {
    const seed = Math.imul(k + 1, 0x9e3779b9);
    let min = 0x7fffffff;
    for (let i = 0; i < sh.length; i++) {
      const v = fmix32((sh[i] as number) ^ seed) & 0x7fffffff;
      if (v < min) min = v;
    }
    sig[k] = min;
  }
  return sig;
}

class UnionFind {
  private readonly parent: Int32Array;
  constructor(n: number) {
    this.parent = Int32Array.from({ length: n }, (_, i) => i);
  }
  find(x: number): number {
    let r = x;
    while (this.parent[r] !== r) r = this.parent[r] as number;
    while (this.parent[x] !== r) {
      const next = this.parent[x] as number;
      this.parent[x] = r;
      x = next;
    }
    return r;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    // The smaller index becomes the root: the result does not depend on pair order.
    if (ra < rb) this.parent[rb] = ra;
    else if (rb < ra) this.parent[ra] = rb;
  }
}

/** Cluster id (the smallest member index) per text; texts with Jaccard >= threshold share one. */
export function nearDuplicateClusters(normalized: readonly string[], threshold: number): Int32Array {
  const sh = normalized.map(shingles);
  const sigs = sh.map(minhash);
  const uf = new UnionFind(normalized.length);
  const checked = new Set<number>();
  for (let band = 0; band < BANDS; band++) {
    const buckets = new Map<string, number[]>();
    sigs.forEach((sig, i) => {
      const key = Array.from(sig.subarray(band * ROWS, band * ROWS + ROWS)).join(',');
      const list = buckets.get(key);
      if (list) list.push(i);
      else buckets.set(key, [i]);
    });
    for (const members of buckets.values()) {
      for (let a = 0; a < members.length; a++) {
        for (let b = a + 1; b < members.length; b++) {
          const i = members[a] as number;
          const j = members[b] as number;
          const pair = i * normalized.length + j;
          if (checked.has(pair)) continue;
          checked.add(pair);
          if (jaccard(sh[i] as Int32Array, sh[j] as Int32Array) >= threshold) uf.union(i, j);
        }
      }
    }
  }
  return Int32Array.from({ length: normalized.length }, (_, i) => uf.find(i));
}
