import { HASH256_WORDS, popcount32, type Hash256 } from '../images/hash256.js';
import { IntListPool } from './int-list-pool.js';

/**
 * "Every stored 256-bit hash within Hamming distance r of this one", fast at a million entries:
 * multi-index hashing (Norouzi, Punjani & Fleet 2012; the layout Meta's PDQ MIH uses).
 *
 * The hash is cut into M = 16 disjoint substrings of 16 bits (the PDQ words), and each substring
 * indexes its own table of 65,536 buckets.
 *
 * Why probing with radius s = floor(r / 16) in each table finds every match (pigeonhole):
 *   let d = d_0 + d_1 + ... + d_15 be the distance split over the 16 substrings. If every d_i
 *   were >= s + 1, then d >= 16 (s + 1) = 16 floor(r / 16) + 16 > r. So whenever d <= r, some
 *   substring i has d_i <= s, and the entry sits in table i in a bucket whose key is within s
 *   bits of the query's substring i: one of the keys we probe.
 * For PDQ's match threshold r = 31, s = 1: each table is probed at the query's key and its 16
 * one-bit neighbours, 272 buckets in all. Every candidate is then checked with the full distance,
 * so the result is exactly the linear scan's. (r < 16 needs only exact keys; r up to 63 works
 * and costs more probes: 137 per table at s = 2, 697 at s = 3.)
 *
 * Storage is typed arrays, not objects per entry: the hash words (32 B per entry) and, for each
 * of the 16 tables, its 65,536 buckets as contiguous lists of entry ids in one pooled Int32Array
 * (int-list-pool.ts). Adding appends the id to 16 buckets; removing swap-deletes it from them (a
 * scan of bucket length, ~N / 65,536) and puts the id on a free list for reuse. Measured at a
 * million random hashes: 32 MB of hashes, 104 MB of bucket blocks (64 MB of ids plus power-of-two
 * slack) in a pool array of 128 MB, and 14 MB of per-bucket and per-entry bookkeeping.
 */

const TABLES = HASH256_WORDS; // 16 substrings of 16 bits
const BUCKETS = 1 << 16;
const WORDS32 = 8;

export const DEFAULT_MATCH_RADIUS = 31;
export const MAX_INDEX_RADIUS = 63;

export interface IndexMatch {
  id: number;
  distance: number;
}

/** Bits set in every 16-bit value: 64 KB, stays in L2; two loads beat the SWAR sequence here. */
const POPCOUNT16 = (() => {
  const t = new Uint8Array(1 << 16);
  for (let v = 1; v < t.length; v++) t[v] = (t[v >> 1] ?? 0) + (v & 1);
  return t;
})();
function pc(x: number): number {
  return POPCOUNT16[x & 0xffff]! + POPCOUNT16[x >>> 16]!;
}

/** All 16-bit masks with at most `s` bits set: the probe offsets for substring radius s. */
const PROBE_MASKS: Uint16Array[] = [];
function probeMasks(s: number): Uint16Array {
  let masks = PROBE_MASKS[s];
  if (!masks) {
    const list: number[] = [];
    for (let m = 0; m < BUCKETS; m++) if (popcount32(m) <= s) list.push(m);
    list.sort((a, b) => popcount32(a) - popcount32(b) || a - b);
    masks = Uint16Array.from(list);
    PROBE_MASKS[s] = masks;
  }
  return masks;
}

export interface HashIndexOptions {
  /** Entries to allocate room for up front; the index grows by doubling past it. */
  initialCapacity?: number;
}

export class HashIndex {
  private capacity: number;
  private count = 0;
  /** Ids ever handed out; live ids are < this and marked in `alive`. */
  private highWater = 0;
  private hashes: Uint32Array;
  private alive: Uint8Array;
  /** List t * 65,536 + key holds the ids whose substring t equals key. */
  private readonly buckets: IntListPool;
  private freeIds: number[] = [];
  /** Per-query visit marks, so an entry found through several tables is checked once. */
  private seen: Uint32Array;
  private epoch = 0;

  constructor(options: HashIndexOptions = {}) {
    this.capacity = Math.max(16, options.initialCapacity ?? 1024);
    this.hashes = new Uint32Array(this.capacity * WORDS32);
    this.alive = new Uint8Array(this.capacity);
    this.buckets = new IntListPool(TABLES * BUCKETS, this.capacity * TABLES * 2);
    this.seen = new Uint32Array(this.capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Store a hash; returns its id (ids of removed entries are reused). */
  add(hash: Hash256): number {
    const id = this.freeIds.length > 0 ? (this.freeIds.pop() as number) : this.highWater++;
    if (id >= this.capacity) this.grow();
    const base = id * WORDS32;
    for (let k = 0; k < WORDS32; k++) this.hashes[base + k] = ((hash[2 * k] ?? 0) | ((hash[2 * k + 1] ?? 0) << 16)) >>> 0;
    for (let t = 0; t < TABLES; t++) this.buckets.push(t * BUCKETS + (hash[t] ?? 0), id);
    this.alive[id] = 1;
    this.count++;
    return id;
  }

  /** Forget an entry; false if the id is not live. */
  remove(id: number): boolean {
    if (!this.has(id)) return false;
    for (let t = 0; t < TABLES; t++) this.buckets.remove(t * BUCKETS + this.substring(id, t), id);
    this.alive[id] = 0;
    this.count--;
    this.freeIds.push(id);
    return true;
  }

  has(id: number): boolean {
    return Number.isInteger(id) && id >= 0 && id < this.highWater && this.alive[id] === 1;
  }

  hashOf(id: number): Hash256 | undefined {
    if (!this.has(id)) return undefined;
    const out = new Uint16Array(HASH256_WORDS);
    for (let t = 0; t < TABLES; t++) out[t] = this.substring(id, t);
    return out;
  }

  /** Live ids, ascending. */
  *ids(): IterableIterator<number> {
    for (let id = 0; id < this.highWater; id++) if (this.alive[id] === 1) yield id;
  }

  /** Ids of entries identical to `hash`: one bucket of one table holds them all, no probing. */
  findExact(hash: Hash256): number[] {
    const q = packQuery(hash);
    const pool = this.buckets.data;
    const list = hash[0] ?? 0; // table 0
    const start = this.buckets.start(list);
    const out: number[] = [];
    for (let i = start, end = start + this.buckets.length(list); i < end; i++) {
      const id = pool[i] ?? 0;
      if (boundedDistance(this.hashes, id * WORDS32, q, 0) === 0) out.push(id);
    }
    return out.sort((a, b) => a - b);
  }

  /** Every live entry within `radius` of `query`, nearest first (ties by id). */
  query(query: Hash256, radius: number = DEFAULT_MATCH_RADIUS): IndexMatch[] {
    checkRadius(radius);
    const q = packQuery(query);
    const masks = probeMasks(Math.floor(radius / TABLES));
    const epoch = this.nextEpoch();
    const { seen, hashes } = this;
    const pool = this.buckets.data;
    const spans = this.buckets.spans;
    const out: IndexMatch[] = [];
    const [q0 = 0, q1 = 0, q2 = 0, q3 = 0, q4 = 0, q5 = 0, q6 = 0, q7 = 0] = q;
    for (let t = 0; t < TABLES; t++) {
      const key = query[t] ?? 0;
      const tableBase = t * BUCKETS;
      for (let m = 0; m < masks.length; m++) {
        const span = 2 * (tableBase + (key ^ (masks[m] ?? 0)));
        const start = spans[span] ?? 0;
        const end = start + (spans[span + 1] ?? 0);
        for (let i = start; i < end; i++) {
          // The hot loop: ~4,000 candidates per query at a million entries, nearly all ~128 bits
          // away. Non-null assertions, not `?? 0`: indexes are in bounds by construction, and the
          // fallback's extra branch per load was measurable here. The distance is taken 64 bits
          // at a time with a bail-out after each part (half the random candidates go after 64).
          const id = pool[i]!;
          const b = id << 3;
          let d = pc(hashes[b]! ^ q0) + pc(hashes[b + 1]! ^ q1);
          if (d > radius) continue;
          d += pc(hashes[b + 2]! ^ q2) + pc(hashes[b + 3]! ^ q3);
          if (d > radius) continue;
          d += pc(hashes[b + 4]! ^ q4) + pc(hashes[b + 5]! ^ q5);
          if (d > radius) continue;
          d += pc(hashes[b + 6]! ^ q6) + pc(hashes[b + 7]! ^ q7);
          // A match can sit in several probed buckets; non-matches are not worth marking.
          if (d > radius || seen[id] === epoch) continue;
          seen[id] = epoch;
          out.push({ id, distance: d });
        }
      }
    }
    return out.sort(byDistanceThenId);
  }

  /** The reference answer: compare against every live entry. For tests and benchmarks. */
  linearScan(query: Hash256, radius: number = DEFAULT_MATCH_RADIUS): IndexMatch[] {
    checkRadius(radius);
    const q = packQuery(query);
    const out: IndexMatch[] = [];
    for (let id = 0; id < this.highWater; id++) {
      if (this.alive[id] !== 1) continue;
      const d = boundedDistance(this.hashes, id * WORDS32, q, radius);
      if (d <= radius) out.push({ id, distance: d });
    }
    return out.sort(byDistanceThenId);
  }

  private substring(id: number, t: number): number {
    return ((this.hashes[id * WORDS32 + (t >> 1)] ?? 0) >>> ((t & 1) * 16)) & 0xffff;
  }

  private nextEpoch(): number {
    this.epoch = (this.epoch + 1) >>> 0;
    if (this.epoch === 0) {
      this.seen.fill(0);
      this.epoch = 1;
    }
    return this.epoch;
  }

  private grow(): void {
    this.capacity *= 2;
    this.hashes = enlarge(this.hashes, new Uint32Array(this.capacity * WORDS32));
    this.alive = enlarge(this.alive, new Uint8Array(this.capacity));
    this.seen = enlarge(this.seen, new Uint32Array(this.capacity));
  }
}

/** Standalone reference: the entries of `index` within `radius`, by brute force. */
export function linearScan(index: HashIndex, query: Hash256, radius: number = DEFAULT_MATCH_RADIUS): IndexMatch[] {
  return index.linearScan(query, radius);
}

function enlarge<T extends Uint8Array | Uint32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

function checkRadius(radius: number): void {
  if (!Number.isInteger(radius) || radius < 0 || radius > MAX_INDEX_RADIUS) {
    throw new RangeError(`radius must be an integer 0..${MAX_INDEX_RADIUS}, got ${radius}`);
  }
}

function packQuery(hash: Hash256): Uint32Array {
  const q = new Uint32Array(WORDS32);
  for (let k = 0; k < WORDS32; k++) q[k] = ((hash[2 * k] ?? 0) | ((hash[2 * k + 1] ?? 0) << 16)) >>> 0;
  return q;
}

/** Full distance, stopping early once past the radius (most random candidates are ~128 away). */
function boundedDistance(hashes: Uint32Array, base: number, q: Uint32Array, radius: number): number {
  let d = 0;
  for (let k = 0; k < WORDS32; k += 2) {
    d += pc(hashes[base + k]! ^ q[k]!) + pc(hashes[base + k + 1]! ^ q[k + 1]!);
    if (d > radius) return d;
  }
  return d;
}

function byDistanceThenId(a: IndexMatch, b: IndexMatch): number {
  return a.distance - b.distance || a.id - b.id;
}
