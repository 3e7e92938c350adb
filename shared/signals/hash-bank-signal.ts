import type { BankMatch, HashBankSet } from '../banks/hash-bank-set.js';
import { ImageDecodeError } from '../images/decode-image.js';
import type { Hash256 } from '../images/hash256.js';
import type { DihedralVariant } from '../images/pdq.js';
import { pdqHashImageDihedral, type PdqImageOptions } from '../images/pdq-image.js';
import type { ImageSource, Signal, SignalHit, SignalInput, SignalOutput } from './signal.js';

/**
 * The image-hash signal: PDQ-hash each image of each item (all eight rotations/mirrors) and look
 * the hashes up in the bank set. One hit per (image, matching bank), the closest entry as evidence.
 * A broken image is this signal's problem for that image only: it goes to `errors`, the other
 * images and items are still matched.
 */

export interface HashBankSignalOptions {
  banks: HashBankSet;
  /** Instance name; hits are named `bank:<bank name>`. */
  name?: string;
  /** Decode limits for the images (pixel and byte caps, failOn). */
  decode?: PdqImageOptions;
  /** Hashes kept by image sha256, so the same picture posted many times is decoded once. */
  cacheSize?: number;
  /** Images hashed at once; sharp decodes on libuv's thread pool (4 threads by default). */
  concurrency?: number;
}

interface Hashed {
  variants: Record<DihedralVariant, Hash256>;
  quality: number;
}

type HashOutcome = { ok: true; hashed: Hashed } | { ok: false; error: string };

/** PDQ's algorithm version: bump if hashing changes in a way that moves bits. */
const PDQ_IMPL_VERSION = 'pdq1';

export class HashBankSignal implements Signal {
  readonly name: string;
  private readonly banks: HashBankSet;
  private readonly decode: PdqImageOptions;
  private readonly cacheSize: number;
  private readonly concurrency: number;
  private readonly cache = new Map<string, HashOutcome>();

  constructor(options: HashBankSignalOptions) {
    this.banks = options.banks;
    this.name = options.name ?? 'hash-banks';
    this.decode = options.decode ?? {};
    this.cacheSize = options.cacheSize ?? 1024;
    this.concurrency = Math.max(1, options.concurrency ?? 4);
  }

  /** Hashing version, thresholds and bank contents: a new bank entry makes sweeps re-check old images. */
  get version(): string {
    return `${PDQ_IMPL_VERSION}+banks.${this.banks.revision}`;
  }

  async evaluate(inputs: readonly SignalInput[]): Promise<SignalOutput[]> {
    const jobs = inputs.flatMap((input) => input.images.filter((img): img is Extract<ImageSource, { ok: true }> => img.ok));
    const hashed = new Map<string, HashOutcome>();
    let next = 0;
    const worker = async () => {
      for (let j = next++; j < jobs.length; j = next++) {
        const image = jobs[j];
        if (image && !hashed.has(image.sha256)) hashed.set(image.sha256, await this.hashImage(image));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, jobs.length) }, worker));
    return inputs.map((input) => this.evaluateOne(input, hashed));
  }

  private evaluateOne(input: SignalInput, hashed: Map<string, HashOutcome>): SignalOutput {
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
      const { quality, variants } = outcome.hashed;
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

  private async hashImage(image: Extract<ImageSource, { ok: true }>): Promise<HashOutcome> {
    const cached = this.cache.get(image.sha256);
    if (cached) {
      // Refresh recency: Map keeps insertion order, so re-inserting makes this the newest.
      this.cache.delete(image.sha256);
      this.cache.set(image.sha256, cached);
      return cached;
    }
    let outcome: HashOutcome;
    try {
      const r = await pdqHashImageDihedral(image.bytes, this.decode);
      outcome = { ok: true, hashed: { variants: r.variants, quality: r.quality } };
    } catch (err) {
      // Whatever one image does to the decoder stays with that image.
      outcome = {
        ok: false,
        error: err instanceof ImageDecodeError ? `${err.reason}: ${err.message}` : `hashing failed: ${err instanceof Error ? err.message : String(err)}`,
      };
    }
    this.cache.set(image.sha256, outcome);
    if (this.cache.size > this.cacheSize) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    return outcome;
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
