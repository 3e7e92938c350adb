/**
 * How the hash index cuts a 256-bit hash into substrings, and how far from the query's value it
 * probes each substring's table for a given radius.
 *
 * Exactness (generalised pigeonhole, Qin et al. 2019; plain MIH is the case of equal t_i):
 *   cut the hash into disjoint substrings 1..m and give table i a probe radius t_i >= -1
 *   (-1: table not probed), such that sum_i (t_i + 1) >= r + 1. Let x be within r of the query
 *   q and d_i the distance between x and q on substring i. The substrings are disjoint, so
 *   d(x, q) >= d_1 + ... + d_m (bits outside every substring only add). If every d_i were
 *   >= t_i + 1, then d(x, q) >= sum (t_i + 1) >= r + 1 > r: a contradiction. So for some i,
 *   d_i <= t_i, and x sits in table i in a bucket whose key is within t_i bits of q's key, i.e.
 *   one of the buckets probed. Every candidate is then checked on all 256 bits, so the result is
 *   exactly the linear scan's. `radii()` only ever returns vectors meeting the sum.
 *
 * Why unequal substrings and radii: the cost of a lookup is memory misses, one per probed bucket
 * and one per candidate. A table of b bits probed at radius t costs V(b, t) = sum_{k<=t} C(b, k)
 * probes and V(b, t) * N / 2^b candidates. At N = 1M the old 16 x 16 bits at t = 1 was 272 probes
 * but ~4,150 candidates. Six 21-bit tables at t = 2 plus seven 18-19-bit tables at t = 1 (sum of
 * t_i + 1 = 18 + 14 = 32 = r + 1 for r = 31) is ~1,530 probes and ~1,030 candidates, for 124 MB
 * of bucket directory. That mix came from minimising probes + non-empty buckets + candidates over
 * all splits of 256 bits into 10-16 substrings of 16-23 bits; splits with 22-bit tables were
 * ~3% cheaper on paper for twice the directory memory.
 */

/** Bits per substring for big indexes (in hash order from bit 0): 6 x 21 + 4 x 19 + 3 x 18 = 256. */
export const LARGE_LAYOUT: readonly number[] = [21, 21, 21, 21, 21, 21, 19, 19, 19, 19, 18, 18, 18];
/** The PDQ words, for small indexes: 9 MB of directory instead of 140 MB, and few entries per bucket anyway. */
export const SMALL_LAYOUT: readonly number[] = Array.from({ length: 16 }, () => 16);
/** An index sized for at least this many entries gets the large layout (it never changes after). */
export const LARGE_LAYOUT_MIN_CAPACITY = 1 << 18;

export function layoutFor(capacity: number): readonly number[] {
  return capacity >= LARGE_LAYOUT_MIN_CAPACITY ? LARGE_LAYOUT : SMALL_LAYOUT;
}

/** Entries the radius choice is tuned for: the candidates per probe of a b-bit table are ~this / 2^b. */
const NOMINAL_ENTRIES = 1 << 20;

function ballSize(bits: number, t: number): number {
  let total = 0;
  let c = 1;
  for (let k = 0; k <= t; k++) {
    total += c;
    c = (c * (bits - k)) / (k + 1);
  }
  return total;
}

function choose(n: number, k: number): number {
  return ballSize(n, k) - ballSize(n, k - 1);
}

const radiiCache = new Map<string, Int8Array>();

/**
 * Probe radius per substring for a query radius r: the cheapest vector with sum (t_i + 1) >= r + 1.
 * Raising table i from t to t + 1 buys one unit for C(b_i, t + 1) more probes, each bringing
 * ~N / 2^b_i candidates; these costs only grow with t (for t < b / 2), so taking the cheapest
 * step r + 1 times is optimal for the model. Cached per layout and radius.
 */
export function radii(layout: readonly number[], r: number): Int8Array {
  const cacheKey = `${layout.join(',')}/${r}`;
  let t = radiiCache.get(cacheKey);
  if (t) return t;
  t = new Int8Array(layout.length).fill(-1);
  for (let units = 0; units < r + 1; units++) {
    let best = 0;
    let bestCost = Infinity;
    for (let i = 0; i < layout.length; i++) {
      const bits = layout[i]!;
      const cost = choose(bits, t[i]! + 1) * (1 + NOMINAL_ENTRIES / 2 ** bits);
      if (cost < bestCost) {
        bestCost = cost;
        best = i;
      }
    }
    t[best]!++;
  }
  radiiCache.set(cacheKey, t);
  return t;
}

const masksCache = new Map<string, Int32Array>();

/** Every `bits`-bit mask with at most `t` bits set, fewest bits first: the offsets to probe. */
export function probeMasks(bits: number, t: number): Int32Array {
  const cacheKey = `${bits}/${t}`;
  let masks = masksCache.get(cacheKey);
  if (masks) return masks;
  const out: number[] = [];
  const extend = (mask: number, lowest: number, left: number): void => {
    if (left <= 0) return;
    for (let b = lowest; b < bits; b++) {
      out.push(mask | (1 << b));
      extend(mask | (1 << b), b + 1, left - 1);
    }
  };
  if (t >= 0) out.push(0);
  extend(0, 0, t);
  masks = Int32Array.from(out.sort((a, b) => popcount(a) - popcount(b) || a - b));
  masksCache.set(cacheKey, masks);
  return masks;
}

function popcount(v: number): number {
  let n = 0;
  for (; v !== 0; v &= v - 1) n++;
  return n;
}
