import { describe, expect, it } from 'vitest';
import { hammingDistance, type Hash256 } from '../../shared/images/hash256.js';
import { HashIndex, linearScan } from '../../shared/banks/hash-index.js';
import { LARGE_LAYOUT_MIN_CAPACITY } from '../../shared/banks/mih-layout.js';

/** Deterministic so a failure reproduces; xorshift32. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>>= 0);
  };
}

function randomHash(next: () => number): Hash256 {
  return Uint16Array.from({ length: 16 }, () => next() & 0xffff);
}

/** Flip exactly `distance` distinct bits, chosen at random. */
function atDistance(hash: Hash256, distance: number, next: () => number): Hash256 {
  const out = hash.slice();
  const bits = Array.from({ length: 256 }, (_, i) => i);
  for (let i = 0; i < distance; i++) {
    const j = i + (next() % (256 - i));
    const bit = bits[j] ?? 0;
    bits[j] = bits[i] ?? 0;
    out[bit >> 4] = (out[bit >> 4] ?? 0) ^ (1 << (bit & 15));
  }
  return out;
}

describe('HashIndex (multi-index hashing) against a linear scan', () => {
  const next = rng(20240611);
  const index = new HashIndex({ initialCapacity: 1000 }); // small on purpose: growth is exercised
  const anchors: Hash256[] = [];
  const planted = new Map<number, number>(); // id -> planted distance from its anchor
  for (let i = 0; i < 40_000; i++) index.add(randomHash(next));
  for (let a = 0; a < 12; a++) {
    const anchor = randomHash(next);
    anchors.push(anchor);
    for (let d = 0; d <= 40; d++) planted.set(index.add(atDistance(anchor, d, next)), d);
  }

  it('finds exactly the planted near-duplicates at 0..31 and none of those at 32..40', () => {
    for (const anchor of anchors) {
      const found = index.query(anchor, 31);
      const distances = found.map((m) => m.distance);
      for (let d = 0; d <= 31; d++) expect(distances, `distance ${d}`).toContain(d);
      expect(found.every((m) => m.distance <= 31)).toBe(true);
      for (const m of found) expect(m.distance).toBe(hammingDistance(anchor, index.hashOf(m.id) ?? new Uint16Array(16)));
      const plantedFar = [...planted].filter(([id, d]) => d > 31 && found.some((m) => m.id === id));
      expect(plantedFar).toEqual([]);
    }
  });

  it('returns exactly what the linear scan returns, for planted and random queries, at several radii', () => {
    const queries = [...anchors, ...anchors.map((a) => atDistance(a, 20, next)), ...Array.from({ length: 20 }, () => randomHash(next))];
    for (const radius of [0, 7, 15, 16, 31, 32, 40, 47]) {
      for (const q of queries) expect(index.query(q, radius)).toEqual(linearScan(index, q, radius));
    }
  });

  it('answers nearest first, ties by id', () => {
    const found = index.query(anchors[0] ?? new Uint16Array(16), 31);
    const sorted = [...found].sort((a, b) => a.distance - b.distance || a.id - b.id);
    expect(found).toEqual(sorted);
    expect(found[0]?.distance).toBe(0);
  });

  it('refuses radii it cannot answer exactly', () => {
    expect(() => index.query(new Uint16Array(16), -1)).toThrow(RangeError);
    expect(() => index.query(new Uint16Array(16), 64)).toThrow(RangeError);
    expect(() => index.query(new Uint16Array(16), 1.5)).toThrow(RangeError);
  });
});

describe('HashIndex incremental updates', () => {
  it('removes entries without a rebuild, reuses their ids, and stays equal to the linear scan', () => {
    const next = rng(7);
    const index = new HashIndex({ initialCapacity: 16 });
    const anchor = randomHash(next);
    const ids: number[] = [];
    for (let i = 0; i < 3000; i++) ids.push(index.add(i % 10 === 0 ? atDistance(anchor, i % 37, next) : randomHash(next)));
    expect(index.size).toBe(3000);

    const removed = ids.filter((_, i) => i % 3 === 0);
    for (const id of removed) expect(index.remove(id)).toBe(true);
    expect(index.remove(removed[0] ?? -1)).toBe(false);
    expect(index.size).toBe(3000 - removed.length);
    for (const id of removed) expect(index.has(id)).toBe(false);
    expect(index.query(anchor, 31)).toEqual(linearScan(index, anchor, 31));
    expect(index.query(anchor, 31).some((m) => removed.includes(m.id))).toBe(false);

    const again = index.add(anchor);
    expect(removed).toContain(again); // a freed id, not a new one
    expect(index.query(anchor, 0)).toContainEqual({ id: again, distance: 0 });
    expect(index.query(anchor, 31)).toEqual(linearScan(index, anchor, 31));
    expect([...index.ids()].length).toBe(index.size);
  });

  it('keeps duplicate hashes as separate entries', () => {
    const index = new HashIndex();
    const h = randomHash(rng(3));
    const a = index.add(h);
    const b = index.add(h);
    const near = h.slice();
    near[3] = (near[3] ?? 0) ^ 1;
    index.add(near);
    expect(index.query(h, 0).map((m) => m.id)).toEqual([a, b]);
    expect(index.findExact(h)).toEqual([a, b]);
    index.remove(a);
    expect(index.query(h, 0).map((m) => m.id)).toEqual([b]);
    expect(index.findExact(h)).toEqual([b]);
  });

  it('handles a bucket far larger than average (many hashes sharing a substring)', () => {
    const next = rng(99);
    const index = new HashIndex();
    const base = randomHash(next);
    for (let i = 0; i < 2000; i++) {
      const h = randomHash(next);
      h[5] = base[5] ?? 0; // all land in the same bucket of table 5
      index.add(h);
    }
    expect(index.query(base, 31)).toEqual(linearScan(index, base, 31));
    for (const id of [...index.ids()].slice(0, 1500)) index.remove(id);
    expect(index.size).toBe(500);
    expect(index.query(base, 40)).toEqual(linearScan(index, base, 40));
  });
});

describe('HashIndex with the large layout (13 substrings of 18-21 bits)', () => {
  // Sized for the large layout; fewer entries so the test stays quick, which only means more
  // empty buckets. Exactness does not depend on the fill.
  const next = rng(4242);
  const index = new HashIndex({ initialCapacity: LARGE_LAYOUT_MIN_CAPACITY });
  const anchors = Array.from({ length: 8 }, () => randomHash(next));
  for (let i = 0; i < 30_000; i++) index.add(randomHash(next));
  for (const anchor of anchors) for (let d = 0; d <= 40; d++) index.add(atDistance(anchor, d, next));

  it('returns exactly what the linear scan returns, at every radius 0..47 and at 63', () => {
    const queries = [...anchors, ...anchors.map((a) => atDistance(a, 25, next)), ...Array.from({ length: 4 }, () => randomHash(next))];
    for (let radius = 0; radius <= 47; radius++) {
      for (const q of queries) expect(index.query(q, radius), `radius ${radius}`).toEqual(linearScan(index, q, radius));
    }
    for (const q of queries.slice(0, 3)) expect(index.query(q, 63)).toEqual(linearScan(index, q, 63));
  });

  it('finds every planted near-duplicate up to 31 bits and stays exact through removes and re-adds', () => {
    for (const anchor of anchors) expect(index.query(anchor, 31).filter((m) => m.distance <= 31).length).toBeGreaterThanOrEqual(32);
    const ids = [...index.ids()];
    for (const id of ids.filter((_, i) => i % 4 === 0)) index.remove(id);
    for (const anchor of anchors) index.add(atDistance(anchor, 30, next));
    for (const anchor of anchors) {
      expect(index.query(anchor, 31)).toEqual(linearScan(index, anchor, 31));
      expect(index.findExact(anchor)).toEqual(linearScan(index, anchor, 0).map((m) => m.id));
    }
  });
});
