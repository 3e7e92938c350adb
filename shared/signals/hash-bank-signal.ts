import type { BankMatch, HashBankSet } from '../banks/hash-bank-set.js';
import type { Hash256 } from '../images/hash256.js';
import type { PdqImageOptions } from '../images/pdq-image.js';
import { inProcessPdq, type PdqBatchFn, type PdqOutcome } from '../images/pdq-runner.js';
import type { ImageSource, Signal, SignalHit, SignalInput, SignalOutput } from './signal.js';

/**
 * The image-hash signal: PDQ-hash each image of each item (all eight rotations/mirrors) and look
 * the hashes up in the bank set. One hit per (image, matching bank), the closest entry as evidence.
 * A broken image is this signal's problem for that image only: it goes to `errors`, the other
 * images and items are still matched.
 *
 * Hashing goes through `hashBatch`: in production the PDQ runner in an inference pool
 * (pdq-runner.ts), so decode and DCT stay off the event loop; in process by default.
 *
 * Version: the hashing algorithm and the match settings, NOT the bank contents. A bank change
 * must not make sweeps re-classify every item (text-only ones too); instead each hashed image is
 * handed to `onHashed` (stored in media_hashes), and new bank entries are matched against those
 * stored hashes and only the items that match are re-classified (bank-rescan-poller.ts), the
 * way HMA matches new bank content against previously seen media.
 */

export interface HashedImage {
  itemId: string;
  imageIndex: number;
  sha256: string;
  quality: number;
  /** The eight dihedral hashes, DIHEDRAL_VARIANTS order. */
  variants: Hash256[];
}

export interface HashBankSignalOptions {
  banks: HashBankSet;
  /** Instance name; hits are named `bank:<bank name>`. */
  name?: string;
  /** Hashes images; default: in process with `decode` limits and `concurrency`. */
  hashBatch?: PdqBatchFn;
  /** Decode limits for the default in-process hashing (pixel and byte caps, failOn). */
  decode?: PdqImageOptions;
  /** Images hashed at once by the default in-process hashing. */
  concurrency?: number;
  /** Hashes kept by image sha256, so the same picture posted many times is decoded once. */
  cacheSize?: number;
  /**
   * Called with every image hashed well enough to match (quality >= the banks' minimum), once per
   * evaluate() call. A throw fails the batch (infrastructure: the job is retried).
   */
  onHashed?: (images: HashedImage[]) => Promise<void>;
}

type Hashed = Extract<PdqOutcome, { ok: true }>;

/** PDQ's algorithm version: bump if hashing changes in a way that moves bits. */
const PDQ_IMPL_VERSION = 'pdq1';

export class HashBankSignal implements Signal {
  readonly name: string;
  readonly version: string;
  private readonly banks: HashBankSet;
  private readonly hashBatch: PdqBatchFn;
  private readonly cacheSize: number;
  private readonly onHashed: HashBankSignalOptions['onHashed'];
  private readonly cache = new Map<string, PdqOutcome>();

  constructor(options: HashBankSignalOptions) {
    this.banks = options.banks;
    this.name = options.name ?? 'hash-banks';
    this.hashBatch = options.hashBatch ?? inProcessPdq(options.decode ?? {}, options.concurrency ?? 4);
    this.cacheSize = options.cacheSize ?? 1024;
    this.onHashed = options.onHashed;
    this.version = `${PDQ_IMPL_VERSION}.t${this.banks.threshold}.q${this.banks.minQuality}`;
  }

  async evaluate(inputs: readonly SignalInput[]): Promise<SignalOutput[]> {
    const hashed = await this.hashAll(inputs.flatMap((input) => input.images.filter((img): img is Extract<ImageSource, { ok: true }> => img.ok)));
    if (this.onHashed) {
      const seen: HashedImage[] = [];
      for (const input of inputs) {
        for (const image of input.images) {
          const o = image.ok ? hashed.get(image.sha256) : undefined;
          if (!image.ok || !o?.ok || o.quality < this.banks.minQuality) continue;
          seen.push({ itemId: input.item.id, imageIndex: image.index, sha256: image.sha256, quality: o.quality, variants: o.variants });
        }
      }
      if (seen.length > 0) await this.onHashed(seen);
    }
    return inputs.map((input) => this.evaluateOne(input, hashed));
  }

  /** Each distinct image once: from the cache, else in one hashBatch call for the batch. */
  private async hashAll(images: Extract<ImageSource, { ok: true }>[]): Promise<Map<string, PdqOutcome>> {
    const out = new Map<string, PdqOutcome>();
    const todo: Extract<ImageSource, { ok: true }>[] = [];
    const queued = new Set<string>();
    for (const image of images) {
      if (out.has(image.sha256) || queued.has(image.sha256)) continue;
      const cached = this.cache.get(image.sha256);
      if (cached) {
        // Refresh recency: Map keeps insertion order, so re-inserting makes this the newest.
        this.cache.delete(image.sha256);
        this.cache.set(image.sha256, cached);
        out.set(image.sha256, cached);
      } else {
        todo.push(image);
        queued.add(image.sha256);
      }
    }
    if (todo.length === 0) return out;
    // A throw here (the pool is down) is infrastructure: the whole batch is retried.
    const results = await this.hashBatch(todo.map((t) => ({ bytes: t.bytes })));
    if (results.length !== todo.length) throw new Error(`${this.name}: hashBatch returned ${results.length} results for ${todo.length} images`);
    todo.forEach((image, i) => {
      const outcome = results[i] as PdqOutcome;
      out.set(image.sha256, outcome);
      this.remember(image.sha256, outcome);
    });
    return out;
  }

  private remember(sha256: string, outcome: PdqOutcome): void {
    this.cache.set(sha256, outcome);
    if (this.cache.size > this.cacheSize) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
  }

  private evaluateOne(input: SignalInput, hashed: Map<string, PdqOutcome>): SignalOutput {
    const hits: SignalHit[] = [];
    const errors: string[] = [];
    const scores: Record<string, number> = {};
    for (const image of input.images) {
      if (!image.ok) {
        errors.push(`image ${image.index}: ${image.error}`);
        continue;
      }
      const outcome = hashed.get(image.sha256);
      if (!outcome || !outcome.ok) {
        errors.push(`image ${image.index}: ${outcome?.error ?? 'not hashed'}`);
        continue;
      }
      const { quality, variants }: Hashed = outcome;
      const result = this.banks.match({ hashes: variants, quality });
      if (result.lowQuality) {
        errors.push(`image ${image.index}: PDQ quality ${quality} is below ${this.banks.minQuality}, not matched against banks`);
        continue;
      }
      for (const m of [...result.allowedBy, ...result.matches]) {
        const key = `bank:${m.bank}`;
        scores[key] = Math.max(scores[key] ?? 0, score(m.distance));
      }
      for (const m of result.matches) hits.push(toHit(m, quality, image.index));
    }
    return { hits, scores, ...(errors.length > 0 && { errors }) };
  }
}

/** 1 for an identical hash, falling linearly with distance: 31 bits off scores 0.88. */
function score(distance: number): number {
  return Math.round((1 - distance / 256) * 1e4) / 1e4;
}

function toHit(m: BankMatch, quality: number, imageIndex: number): SignalHit {
  const how = m.variant === 'original' ? '' : ` (as ${m.variant})`;
  const ref = m.entry.sourceId ? ` [${m.entry.sourceId}]` : '';
  return {
    signal: `bank:${m.bank}`,
    label: m.label,
    score: score(m.distance),
    action: m.action,
    reason: `image ${imageIndex} matches hash bank '${m.bank}'${ref} at distance ${m.distance}${how}`,
    evidence: {
      bank: m.bank,
      entry: { hash: m.entry.hash, ...(m.entry.note !== undefined && { note: m.entry.note }), ...(m.entry.sourceId !== undefined && { sourceId: m.entry.sourceId }) },
      distance: m.distance,
      quality,
      imageIndex,
      variant: m.variant,
    },
  };
}
