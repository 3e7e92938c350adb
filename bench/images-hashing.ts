import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { HashBankSet } from '../shared/banks/hash-bank-set.js';
import { HashIndex, type IndexMatch } from '../shared/banks/hash-index.js';
import { decodeImage } from '../shared/images/decode-image.js';
import { hash256ToHex, type Hash256 } from '../shared/images/hash256.js';
import { dihedralHashes, pdqFromPixels, type DihedralVariant } from '../shared/images/pdq.js';
import { PDQ_PRESHRINK_SIDE, pdqHashImage } from '../shared/images/pdq-image.js';
import { percentile } from './bench-support.js';

/**
 * Image-hashing figures: PDQ hashes per second with and without decoding, and hash-bank lookups
 * at a million entries against a linear scan of the same entries in the same run.
 *
 *   npx tsx bench/images-hashing.ts [--entries 1000000] [--queries 2000] [--linear 30] [--seconds 3]
 */

export interface ImagesHashingBenchOptions {
  entries?: number;
  queries?: number;
  /** Queries also answered by linear scan (slow: ~10 ms each at a million). */
  linearQueries?: number;
  /** Time spent on each hashing measurement. */
  seconds?: number;
  imagesDir?: string;
  log?: (line: string) => void;
}

export interface ImagesHashingBenchResult {
  hashing: { images: number; decodeIncludedPerSec: number; decodeIncludedConcurrentPerSec: number; decodeExcludedPerSec: number; dihedralExtraUs: number };
  index: { entries: number; memoryMB: number; queriesPerSec: number; p50Us: number; p99Us: number; linearMeanMs: number; speedup: number; mismatches: number };
  bank: { entries: number; loadSeconds: number; matchesPerSec: number; p50Us: number; p99Us: number };
}

const DEFAULT_IMAGES = fileURLToPath(new URL('../../shared/data/pdq/images/', import.meta.url));

export async function benchImagesHashing(options: ImagesHashingBenchOptions = {}): Promise<ImagesHashingBenchResult> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const entries = options.entries ?? 1_000_000;
  const queries = options.queries ?? 2000;
  const linearQueries = options.linearQueries ?? 30;
  const seconds = options.seconds ?? 3;
  const dir = options.imagesDir ?? DEFAULT_IMAGES;
  const images = readdirSync(dir)
    .filter((f) => /\.(jpe?g|png|webp|gif)$/i.test(f))
    .map((f) => readFileSync(`${dir}/${f}`));
  if (images.length === 0) throw new Error(`no images in ${dir}`);

  // --- hashing ---------------------------------------------------------------------------
  log(`PDQ hashing over ${images.length} images (${dir}), ${seconds}s per figure`);
  const sequential = await timed(seconds, async (i) => {
    await pdqHashImage(images[i % images.length] as Buffer);
  });
  const concurrent = await timed(seconds, async (i) => {
    await Promise.all([0, 1, 2, 3].map((k) => pdqHashImage(images[(i * 4 + k) % images.length] as Buffer)));
  });
  const decoded = await Promise.all(images.map((b) => decodeImage(b, { fitWithin: PDQ_PRESHRINK_SIDE })));
  const pixelsOnly = await timed(seconds, async (i) => {
    const d = decoded[i % decoded.length];
    if (d) pdqFromPixels(d.pixels, d.width, d.height, d.channels);
  });
  const someDct = pdqFromPixels(decoded[0]?.pixels ?? new Uint8Array(), decoded[0]?.width ?? 0, decoded[0]?.height ?? 0, 3).dct;
  const dihedral = await timed(1, async () => {
    dihedralHashes(someDct);
  });
  const hashing = {
    images: images.length,
    decodeIncludedPerSec: sequential.perSec,
    decodeIncludedConcurrentPerSec: concurrent.perSec * 4,
    decodeExcludedPerSec: pixelsOnly.perSec,
    dihedralExtraUs: 1e6 / dihedral.perSec,
  };
  log(`  decode included, one at a time : ${hashing.decodeIncludedPerSec.toFixed(0)} images/s`);
  log(`  decode included, 4 in flight   : ${hashing.decodeIncludedConcurrentPerSec.toFixed(0)} images/s`);
  log(`  decode excluded (pixels->hash) : ${hashing.decodeExcludedPerSec.toFixed(0)} images/s (images pre-shrunk to <= ${PDQ_PRESHRINK_SIDE}px)`);
  log(`  eight dihedral hashes from DCT : +${hashing.dihedralExtraUs.toFixed(1)} µs per image`);

  // Each part builds its million entries in its own function so the previous one can be collected.
  const index = benchIndex(entries, queries, linearQueries, log);
  const bank = benchBankSet(entries, queries, log);
  return { hashing, index, bank };
}

function benchIndex(entries: number, queries: number, linearQueries: number, log: (line: string) => void): ImagesHashingBenchResult['index'] {
  const rnd = xorshift(0x5eed);
  const randomHash = (): Hash256 => Uint16Array.from({ length: 16 }, () => rnd() & 0xffff);
  log(`\nHash index: ${entries.toLocaleString('en')} random hashes, radius 31`);
  const index = new HashIndex({ initialCapacity: entries });
  const stored: Hash256[] = [];
  let t0 = performance.now();
  for (let i = 0; i < entries; i++) {
    const h = randomHash();
    if (i % Math.max(1, Math.floor(entries / 1000)) === 0) stored.push(h);
    index.add(h);
  }
  const memoryMB = index.memoryBytes / 2 ** 20;
  log(`  built in ${((performance.now() - t0) / 1000).toFixed(1)} s, ${memoryMB.toFixed(0)} MB of typed arrays (hashes ${((entries * 32) / 2 ** 20).toFixed(0)} MB)`);
  // Half the queries are near-duplicates of stored hashes (0..40 bits off), half unrelated.
  const qs = Array.from({ length: queries }, (_, i) => (i % 2 === 0 ? randomHash() : flipBits(stored[i % stored.length] as Hash256, i % 41, rnd)));
  for (const q of qs.slice(0, 100)) index.query(q); // warm up the JIT
  const lat: number[] = [];
  const answers: IndexMatch[][] = [];
  t0 = performance.now();
  for (const q of qs) {
    const s = performance.now();
    answers.push(index.query(q));
    lat.push(performance.now() - s);
  }
  const indexSeconds = (performance.now() - t0) / 1000;
  t0 = performance.now();
  let mismatches = 0;
  for (let i = 0; i < linearQueries; i++) {
    const q = qs[i] as Hash256;
    if (JSON.stringify(index.linearScan(q)) !== JSON.stringify(answers[i])) mismatches++;
  }
  const linearMeanMs = (performance.now() - t0) / Math.max(1, linearQueries);
  const meanMs = (indexSeconds * 1000) / qs.length;
  const idx = { entries, memoryMB, queriesPerSec: qs.length / indexSeconds, p50Us: percentile(lat, 50) * 1000, p99Us: percentile(lat, 99) * 1000, linearMeanMs, speedup: linearMeanMs / meanMs, mismatches };
  log(`  multi-index hashing : ${idx.queriesPerSec.toFixed(0)} lookups/s, p50 ${idx.p50Us.toFixed(0)} µs, p99 ${idx.p99Us.toFixed(0)} µs`);
  log(`  linear scan         : ${linearMeanMs.toFixed(2)} ms per lookup (${linearQueries} lookups), ${(1000 / linearMeanMs).toFixed(0)} lookups/s`);
  log(`  speedup             : ${idx.speedup.toFixed(1)}x, results identical on ${linearQueries - mismatches}/${linearQueries}`);
  return idx;
}

function benchBankSet(entries: number, queries: number, log: (line: string) => void): ImagesHashingBenchResult['bank'] {
  const rnd = xorshift(0xba2c);
  const randomHash = (): Hash256 => Uint16Array.from({ length: 16 }, () => rnd() & 0xffff);
  log(`\nHash bank set: ${entries.toLocaleString('en')} entries in 2 banks, matching all 8 dihedral variants`);
  let t0 = performance.now();
  const rows = Array.from({ length: entries }, (_, i) => ({ bank: i % 10 === 0 ? 'allow' : 'block', hash: hash256ToHex(randomHash()) }));
  const bankSet = HashBankSet.load(
    [
      { bank: 'block', label: 'csam', action: 'takedown' },
      { bank: 'allow', label: 'benign', action: 'review', kind: 'allow' },
    ],
    rows,
  );
  const loadSeconds = (performance.now() - t0) / 1000;
  rows.length = 0;
  const imageQueries = Array.from({ length: Math.max(50, Math.floor(queries / 8)) }, () => {
    const variants = {} as Record<DihedralVariant, Hash256>;
    for (const v of ['original', 'rotate90', 'rotate180', 'rotate270', 'flipX', 'flipY', 'flipPlus1', 'flipMinus1'] as const) variants[v] = randomHash();
    return variants;
  });
  const bankLat: number[] = [];
  t0 = performance.now();
  for (const hashes of imageQueries) {
    const s = performance.now();
    bankSet.match({ hashes, quality: 100 });
    bankLat.push(performance.now() - s);
  }
  const bankSeconds = (performance.now() - t0) / 1000;
  const bank = { entries, loadSeconds, matchesPerSec: imageQueries.length / bankSeconds, p50Us: percentile(bankLat, 50) * 1000, p99Us: percentile(bankLat, 99) * 1000 };
  log(`  loaded in ${loadSeconds.toFixed(1)} s; ${bank.matchesPerSec.toFixed(0)} images/s, p50 ${bank.p50Us.toFixed(0)} µs, p99 ${bank.p99Us.toFixed(0)} µs per image`);
  return bank;
}

/** `modpipe bench images` and the standalone entry point. */
export async function runImagesHashingBench(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { entries: { type: 'string' }, queries: { type: 'string' }, linear: { type: 'string' }, seconds: { type: 'string' }, images: { type: 'string' } },
  });
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  await benchImagesHashing({ entries: num(values.entries), queries: num(values.queries), linearQueries: num(values.linear), seconds: num(values.seconds), imagesDir: values.images });
}

async function timed(seconds: number, step: (i: number) => Promise<void>): Promise<{ perSec: number }> {
  for (let i = 0; i < 3; i++) await step(i); // warm-up
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < seconds * 1000) await step(n++);
  return { perSec: n / ((performance.now() - start) / 1000) };
}

function xorshift(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>>= 0);
  };
}

function flipBits(hash: Hash256, count: number, rnd: () => number): Hash256 {
  const out = hash.slice();
  for (let i = 0; i < count; i++) {
    const bit = rnd() & 255;
    out[bit >> 4] = (out[bit >> 4] ?? 0) ^ (1 << (bit & 15));
  }
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runImagesHashingBench(process.argv.slice(2));
}
