import { describe, expect, it } from 'vitest';
import { IntListPool } from '../../shared/banks/int-list-pool.js';

function contents(pool: IntListPool, list: number): number[] {
  const start = pool.start(list);
  return [...pool.data.subarray(start, start + pool.length(list))].sort((a, b) => a - b);
}

describe('IntListPool', () => {
  it('keeps many growing lists apart in one array', () => {
    const pool = new IntListPool(10, 16);
    for (let v = 0; v < 500; v++) pool.push(v % 10, v);
    for (let list = 0; list < 10; list++) {
      expect(contents(pool, list)).toEqual(Array.from({ length: 50 }, (_, i) => i * 10 + list));
    }
  });

  it('removes values and reuses freed blocks instead of growing forever', () => {
    const pool = new IntListPool(4, 16);
    for (let round = 0; round < 50; round++) {
      for (let v = 0; v < 40; v++) pool.push(round % 4, v);
      for (let v = 0; v < 40; v++) expect(pool.remove(round % 4, v)).toBe(true);
      expect(pool.length(round % 4)).toBe(0);
    }
    // 40 values need blocks of 4..64 once; 50 rounds reuse them rather than allocate 50 times.
    expect(pool.allocated).toBeLessThanOrEqual(4 + 8 + 16 + 32 + 64);
    expect(pool.remove(0, 123)).toBe(false);
  });

  it('remove takes one occurrence of a repeated value', () => {
    const pool = new IntListPool(1);
    pool.push(0, 7);
    pool.push(0, 7);
    pool.push(0, 8);
    expect(pool.remove(0, 7)).toBe(true);
    expect(contents(pool, 0)).toEqual([7, 8]);
  });
});
