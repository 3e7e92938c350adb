import { HASH256_WORDS, type Hash256 } from '../images/hash256.js';
import { IntListPool } from './int-list-pool.js';
import { layoutFor, probeMasks, radii } from './mih-layout.js';

/**
 * "Every stored 256-bit hash within Hamming distance r of this one", fast at a million entries:
 * multi-index hashing (Norouzi, Punjani & Fleet 2012) with unequal substrings and per-substring
 * probe radii. The split, the radii and the proof that the answer is exact (a generalised
 * pigeonhole) are in mih-layout.ts: in short, with disjoint substrings probed at radii t_i where
 * sum (t_i + 1) >= r + 1, any entry within r is within t_i of the query on some substring i, so
 * it is in a probed bucket; every candidate is then checked on all 256 bits.
 *
 * Indexes sized for >= 2^18 entries cut the hash into 13 substrings (6 x 21 bits, 4 x 19, 3 x 18)
 * and at r = 31 probe the 21-bit tables at radius 2 and the others at radius 1; smaller ones use
 * the 16 PDQ words at radius 1 (the layout is fixed at construction, so growth never re-indexes).
 *
 * Storage is typed arrays, not objects per entry: the hash words (32 B per entry) and, for each
 * table, its 2^b buckets as contiguous lists of entry ids in one pooled Int32Array
 * (int-list-pool.ts). Adding appends the id to one bucket per table; removing swap-deletes it
 * (a scan of the bucket, ~N / 2^b long) and puts the id on a free list for reuse.
 *
 * A lookup is staged so the CPU can overlap its memory misses (each probe and each candidate is
 * one, in arrays of 30-120 MB): 1. read the span of every probed bucket, keeping non-empty ones;
 * 2. copy their ids into one scratch array; 3. for every candidate, the distance on the first 128
 * bits, with no branch on it (so loads of later candidates are not held up by a mispredicted
 * branch on an earlier one's bits), keeping those within r; 4. the full distance of those few.
 * Measured on the 16 x 16 layout: 320 -> 235 µs per lookup for this staging alone.
 *
 * At a million random hashes (bench/images-hashing.ts): 242 MB of typed arrays (31 MB hashes,
 * 124 MB bucket directory, 78 MB id pool, 20 MB bookkeeping), p50 140-170 µs per r = 31 lookup
 * against 12-14 ms for the linear scan; the old 16 x 16 design was ~175 MB and ~300 µs.
 */

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

/**
 * Per-lookup scratch, shared by every index (lookups are synchronous): bucket spans, then
 * candidate ids. Grown on demand, never shrunk.
 */
let spanStarts = new Int32Array(4096);
let spanLengths = new Int32Array(4096);
let candidates = new Int32Array(16384);

interface ProbePlan {
  masks: Int32Array[];
  probes: number;
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
  /** Bits per substring, in hash order from bit 0. */
  private readonly layout: readonly number[];
  /** First bit of each substring, and the list number of its table's bucket 0. */
  private readonly offsets: Int32Array;
  private readonly listBase: Int32Array;
  /** List listBase[t] + key holds the ids whose substring t equals key. */
  private readonly buckets: IntListPool;
  private freeIds: number[] = [];
  /** Per-query visit marks, so a match found through several tables is reported once. */
  private seen: Uint32Array;
  private epoch = 0;
  private readonly plans: (ProbePlan | undefined)[] = [];

  constructor(options: HashIndexOptions = {}) {
    this.capacity = Math.max(16, options.initialCapacity ?? 1024);
    this.hashes = new Uint32Array(this.capacity * WORDS32);
    this.alive = new Uint8Array(this.capacity);
    this.seen = new Uint32Array(this.capacity);
    this.layout = layoutFor(this.capacity);
    this.offsets = new Int32Array(this.layout.length);
    this.listBase = new Int32Array(this.layout.length);
    let offset = 0;
    let lists = 0;
    for (let t = 0; t < this.layout.length; t++) {
      this.offsets[t] = offset;
      this.listBase[t] = lists;
      offset += this.layout[t]!;
      lists += 2 ** this.layout[t]!;
    }
    // Lists average ~1 id in 18-21-bit tables, ~16 in 16-bit ones: smallest block 1 or 4.
    const perList = this.capacity / (lists / this.layout.length);
    const minLog2 = perList < 4 ? 0 : 2;
    this.buckets = new IntListPool(lists, Math.ceil(this.capacity * this.layout.length * (minLog2 === 0 ? 1.5 : 2)), minLog2);
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held in typed arrays (hashes, bucket directory, pooled buckets, bookkeeping). */
  get memoryBytes(): number {
    return this.hashes.byteLength + this.alive.byteLength + this.seen.byteLength + this.buckets.bytes + 4 * this.freeIds.length;
  }

  /** Store a hash; returns its id (ids of removed entries are reused). */
  add(hash: Hash256): number {
    const id = this.freeIds.length > 0 ? (this.freeIds.pop() as number) : this.highWater++;
    if (id >= this.capacity) this.grow();
    const base = id * WORDS32;
    for (let k = 0; k < WORDS32; k++) this.hashes[base + k] = ((hash[2 * k] ?? 0) | ((hash[2 * k + 1] ?? 0) << 16)) >>> 0;
    for (let t = 0; t < this.layout.length; t++) this.buckets.push(this.listOf(this.hashes, base, t), id);
    this.alive[id] = 1;
    this.count++;
    return id;
  }

  /** Forget an entry; false if the id is not live. */
  remove(id: number): boolean {
    if (!this.has(id)) return false;
    for (let t = 0; t < this.layout.length; t++) this.buckets.remove(this.listOf(this.hashes, id * WORDS32, t), id);
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
    for (let w = 0; w < HASH256_WORDS; w++) out[w] = ((this.hashes[id * WORDS32 + (w >> 1)] ?? 0) >>> ((w & 1) * 16)) & 0xffff;
    return out;
  }

  /** Live ids, ascending. */
  *ids(): IterableIterator<number> {
    for (let id = 0; id < this.highWater; id++) if (this.alive[id] === 1) yield id;
  }

  /** Ids of entries identical to `hash`: one bucket of one table holds them all, no probing. */
  findExact(hash: Hash256): number[] {
    const q = packQuery(hash);
    const list = this.listOf(q, 0, 0);
    const pool = this.buckets.data;
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
    const plan = this.planFor(radius);
    const spans = this.buckets.spans;

    // 1. Spans of the probed buckets; empty ones dropped without a branch.
    if (plan.probes > spanStarts.length) {
      spanStarts = new Int32Array(plan.probes);
      spanLengths = new Int32Array(plan.probes);
    }
    const starts = spanStarts;
    const lengths = spanLengths;
    let nonEmpty = 0;
    let total = 0;
    for (let t = 0; t < this.layout.length; t++) {
      const masks = plan.masks[t]!;
      const key = this.keyOf(q, 0, t);
      const base = this.listBase[t]!;
      for (let m = 0; m < masks.length; m++) {
        const span = 2 * (base + (key ^ masks[m]!));
        const length = spans[span + 1]!;
        starts[nonEmpty] = spans[span]!;
        lengths[nonEmpty] = length;
        nonEmpty += -length >>> 31;
        total += length;
      }
    }

    // 2. Their ids, into one array.
    if (total > candidates.length) candidates = new Int32Array(2 ** Math.ceil(Math.log2(total)));
    const ids = candidates;
    const pool = this.buckets.data;
    let n = 0;
    for (let p = 0; p < nonEmpty; p++) {
      for (let i = starts[p]!, end = i + lengths[p]!; i < end; i++) ids[n++] = pool[i]!;
    }

    // 3. Distance on bits 0-127 for each, kept when within the radius. Random candidates are
    // ~64 away on these bits: about 1 in 100,000 survives.
    const { hashes, seen } = this;
    const [q0 = 0, q1 = 0, q2 = 0, q3 = 0, q4 = 0, q5 = 0, q6 = 0, q7 = 0] = q;
    let kept = 0;
    for (let j = 0; j < n; j++) {
      const id = ids[j]!;
      const b = id << 3;
      const d = pc(hashes[b]! ^ q0) + pc(hashes[b + 1]! ^ q1) + pc(hashes[b + 2]! ^ q2) + pc(hashes[b + 3]! ^ q3);
      ids[kept] = id;
      kept += (d - radius - 1) >>> 31;
    }

    // 4. The full distance of the survivors; a match can come from several tables.
    const epoch = this.nextEpoch();
    const out: IndexMatch[] = [];
    for (let j = 0; j < kept; j++) {
      const id = ids[j]!;
      const b = id << 3;
      const d =
        pc(hashes[b]! ^ q0) + pc(hashes[b + 1]! ^ q1) + pc(hashes[b + 2]! ^ q2) + pc(hashes[b + 3]! ^ q3) +
        pc(hashes[b + 4]! ^ q4) + pc(hashes[b + 5]! ^ q5) + pc(hashes[b + 6]! ^ q6) + pc(hashes[b + 7]! ^ q7);
      if (d > radius || seen[id] === epoch) continue;
      seen[id] = epoch;
      out.push({ id, distance: d });
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

  /** The bucket list of substring t of the packed hash at words[base..base + 7]. */
  private listOf(words: Uint32Array, base: number, t: number): number {
    return this.listBase[t]! + this.keyOf(words, base, t);
  }

  /** Substring t of the packed hash at words[base..base + 7]. */
  private keyOf(words: Uint32Array, base: number, t: number): number {
    const offset = this.offsets[t]!;
    const bits = this.layout[t]!;
    const k = base + (offset >>> 5);
    const shift = offset & 31;
    let v = words[k]! >>> shift;
    if (shift + bits > 32) v |= words[k + 1]! << (32 - shift);
    return v & ((1 << bits) - 1);
  }

  /** Probe offsets per table for a radius (none for a table at radius -1), computed once. */
  private planFor(radius: number): ProbePlan {
    let plan = this.plans[radius];
    if (!plan) {
      const probeRadii = radii(this.layout, radius);
      const masks = this.layout.map((bits, t) => (probeRadii[t]! < 0 ? new Int32Array(0) : probeMasks(bits, probeRadii[t]!)));
      plan = { masks, probes: masks.reduce((sum, m) => sum + m.length, 0) };
      this.plans[radius] = plan;
    }
    return plan;
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
