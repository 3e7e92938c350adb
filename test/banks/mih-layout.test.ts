import { describe, expect, it } from 'vitest';
import { LARGE_LAYOUT, SMALL_LAYOUT, probeMasks, radii } from '../../shared/banks/mih-layout.js';

function popcount(v: number): number {
  let n = 0;
  for (; v !== 0; v &= v - 1) n++;
  return n;
}

describe('multi-index hashing layout', () => {
  it('cuts at most 256 bits into disjoint substrings', () => {
    for (const layout of [LARGE_LAYOUT, SMALL_LAYOUT]) {
      expect(layout.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(256);
      expect(layout.every((b) => Number.isInteger(b) && b >= 1 && b <= 24)).toBe(true);
    }
  });

  it('gives every radius 0..63 probe radii meeting the pigeonhole bound sum (t_i + 1) >= r + 1', () => {
    for (const layout of [LARGE_LAYOUT, SMALL_LAYOUT]) {
      for (let r = 0; r <= 63; r++) {
        const t = radii(layout, r);
        expect(t.length).toBe(layout.length);
        expect([...t].reduce((sum, ti) => sum + ti + 1, 0), `r = ${r}`).toBeGreaterThanOrEqual(r + 1);
        for (let i = 0; i < t.length; i++) expect(t[i]!).toBeLessThanOrEqual(layout[i]!);
      }
    }
  });

  it('probes 21-bit tables at radius 2 and the 18-19-bit ones at radius 1 for r = 31; 16-bit words at radius 1', () => {
    expect([...radii(LARGE_LAYOUT, 31)]).toEqual(LARGE_LAYOUT.map((b) => (b === 21 ? 2 : 1)));
    expect([...radii(SMALL_LAYOUT, 31)]).toEqual(SMALL_LAYOUT.map(() => 1));
  });

  it('enumerates every mask within the probe radius, once', () => {
    for (const [bits, t, count] of [
      [16, 1, 17],
      [21, 2, 232],
      [19, 3, 1160],
      [18, 0, 1],
      [18, -1, 0],
    ] as const) {
      const masks = probeMasks(bits, t);
      expect(masks.length).toBe(count);
      expect(new Set(masks).size).toBe(count);
      expect([...masks].every((m) => m >= 0 && m < 2 ** bits && popcount(m) <= t)).toBe(true);
    }
  });
});
