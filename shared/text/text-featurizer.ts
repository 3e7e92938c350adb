import { z } from 'zod';
import { CHAR_BASIS, FNV_PRIME, WORD_BASIS, fmix32, pairHash } from './feature-hash.js';
import { tokenize } from './normalize-text.js';
import { phoneticKey } from './phonetic-key.js';
import { describeIssues } from '../validation/describe-issues.js';

/**
 * Tokens → hashed feature ids: character n-grams of each word (with < > word boundaries, as in
 * fastText), word unigrams and word n-grams, each hashed into a fixed number of buckets. The
 * name and params are recorded in the model manifest; serving rebuilds the exact same featurizer
 * from them, so a change to the folding or hashing needs a new name. v2: Indic and Thai vowel
 * signs stay in their words, every script's digits read as ASCII, and Chinese, Japanese, Thai,
 * Lao, Khmer and Myanmar runs are cut into tokens (shared/text/spaceless-words.ts).
 */
export const TEXT_FEATURIZER_NAME = 'modpipe-hashed-ngrams-v2';

export const textFeaturizerParamsSchema = z
  .object({
    /** Buckets = 2^bucketsLog2. */
    bucketsLog2: z.number().int().min(8).max(24),
    charNgramMin: z.number().int().min(1).max(8),
    charNgramMax: z.number().int().min(1).max(8),
    /** 1 = unigrams only, 2 = plus bigrams, 3 = plus trigrams. */
    wordNgrams: z.number().int().min(1).max(3),
    /** Features kept per text; the rest are dropped (bounds tensor width and cost). */
    maxFeatures: z.number().int().min(8).max(65_536),
    /** Characters read per text (head and tail, see clipText). */
    maxChars: z.number().int().min(16).max(1_000_000),
    /** Character n-grams are taken from at most this many characters of a word. */
    maxWordChars: z.number().int().min(1).max(256),
    /**
     * Also hash each word's phonetic key (shared/text/phonetic-key.ts) when it differs from the
     * word: its unigram and character 3..charNgramMax-grams, in the same hash space as plain
     * words, so "кокаин" meets "Kokain" and "cocaine". 0 = off.
     */
    phoneticMinN: z.number().int().min(0).max(8).default(0),
    /**
     * Weights are 1/(count + lengthPrior): a text's mean is shrunk toward zero (the bias) by this
     * many virtual empty features, so a short text is not judged as confidently as a long one on
     * the strength of one or two n-grams. 0 = the plain mean.
     */
    lengthPrior: z.number().min(0).max(100_000).default(0),
  })
  .strict()
  .refine((p) => p.charNgramMin <= p.charNgramMax, { message: 'charNgramMin must not exceed charNgramMax' });
export type TextFeaturizerParams = z.infer<typeof textFeaturizerParamsSchema>;

/** Chosen by 4-fold cross-validation on the training split (see the model card). */
export const DEFAULT_FEATURIZER_PARAMS: TextFeaturizerParams = {
  // 2^20: with Chinese and Japanese bigrams and 22 languages, out-of-fold macro-F1 rose from
  // 0.872 (2^18) to 0.877 (2^19) and 0.880 (2^20); the served table is 2^20 × 6 floats (25 MB).
  bucketsLog2: 20,
  charNgramMin: 3,
  charNgramMax: 5,
  wordNgrams: 2,
  maxFeatures: 1024,
  maxChars: 3000,
  maxWordChars: 32,
  phoneticMinN: 0,
  lengthPrior: 128,
};

/** A padded batch: row i holds text i's feature ids, weights 1/(count + lengthPrior), then zero padding. */
export interface PackedBatch {
  rows: number;
  width: number;
  ids: Int32Array;
  weights: Float32Array;
}

export class FeaturizerConfigError extends Error {
  override readonly name = 'FeaturizerConfigError';
}

/** Only marker tokens, hosts and symbols skip character n-grams: they are whole identifiers. */
function wantsCharNgrams(token: string, hasDot: boolean): boolean {
  const c = token.charCodeAt(0);
  if (c === 60 /* < */ || (token.length > 1 && hasDot)) return false;
  return token.length > 1 || (c >= 97 && c <= 122) || c > 0x2ff;
}

export class TextFeaturizer {
  readonly params: TextFeaturizerParams;
  private readonly mask: number;
  private scratch: Int32Array;
  private readonly pairs: Int32Array;
  private readonly units: Uint16Array;
  // What layOut last laid out: its length in units (with < and >) and whether it holds a '.'.
  private laidOutLength = 0;
  private laidOutDot = false;

  constructor(params: unknown) {
    const parsed = textFeaturizerParamsSchema.safeParse(params);
    if (!parsed.success) {
      throw new FeaturizerConfigError(`featurizer params are invalid: ${describeIssues(parsed.error)}`);
    }
    this.params = parsed.data;
    this.mask = (1 << this.params.bucketsLog2) - 1;
    this.scratch = new Int32Array(this.params.maxFeatures);
    this.pairs = new Int32Array(3);
    this.units = new Uint16Array(this.params.maxWordChars + 2);
  }

  get buckets(): number {
    return this.mask + 1;
  }

  /** Writes up to maxFeatures ids of `text` into out[offset...]; returns how many. */
  featurizeInto(text: string, out: Int32Array, offset: number): number {
    const { charNgramMin: minn, wordNgrams, maxFeatures, maxChars, phoneticMinN } = this.params;
    const mask = this.mask;
    const limit = offset + maxFeatures;
    const hist = this.pairs;
    hist.fill(0);
    let n = offset;
    let seen = 0;
    for (const token of tokenize(text, maxChars)) {
      if (n >= limit) break;
      const wh = this.layOut(token);
      out[n++] = fmix32(wh) & mask;
      // Word n-grams over the previous tokens (hist holds the last wordNgrams-1 word hashes).
      let ph = wh;
      for (let g = 1; g < wordNgrams && g <= seen && n < limit; g++) {
        ph = pairHash(hist[g - 1] as number, ph);
        out[n++] = ph & mask;
      }
      for (let g = hist.length - 1; g > 0; g--) hist[g] = hist[g - 1] as number;
      hist[0] = wh;
      seen++;
      if (!wantsCharNgrams(token, this.laidOutDot)) continue;
      n = this.unitNgrams(this.laidOutLength, minn, out, n, limit);
      if (phoneticMinN > 0 && n < limit) {
        const key = phoneticKey(token);
        if (key !== null && key !== token) {
          out[n++] = fmix32(this.layOut(key)) & mask;
          n = this.unitNgrams(this.laidOutLength, phoneticMinN, out, n, limit);
        }
      }
    }
    return n - offset;
  }

  /**
   * One read of a word: lays "<word>" (its first maxWordChars units) out in this.units for the
   * character n-grams, notes its length and whether the word holds a '.', and returns the FNV-1a
   * hash of the whole word (unmixed, as fnv1a with WORD_BASIS).
   */
  private layOut(word: string): number {
    const units = this.units;
    const length = word.length;
    const kept = Math.min(length, this.params.maxWordChars);
    let h = WORD_BASIS;
    let dot = false;
    for (let k = 0; k < length; k++) {
      const c = word.charCodeAt(k);
      h = Math.imul(h ^ c, FNV_PRIME);
      if (k < kept) units[k + 1] = c;
      if (c === 46) dot = true;
    }
    units[0] = 60;
    units[kept + 1] = 62;
    this.laidOutLength = kept + 2;
    this.laidOutDot = dot;
    return h;
  }

  /**
   * Character n-grams of the word laid out in units[0..len), hashed incrementally: each start
   * position extends one code unit at a time (each unit is read by up to maxn n-grams), emitting
   * once the n-gram is long enough. Returns the new write position.
   */
  private unitNgrams(len: number, minn: number, out: Int32Array, n: number, limit: number): number {
    const maxn = this.params.charNgramMax;
    const mask = this.mask;
    const units = this.units;
    for (let i = 0; i + minn <= len && n < limit; i++) {
      let h = CHAR_BASIS;
      const end = Math.min(len, i + maxn);
      for (let j = i; j < end; j++) {
        h = Math.imul(h ^ (units[j] as number), FNV_PRIME);
        if (j - i + 1 >= minn) {
          out[n++] = fmix32(h) & mask;
          if (n >= limit) return n;
        }
      }
    }
    return n;
  }

  /** Feature ids of one text, as a fresh array (training keeps them). */
  featurize(text: string): Int32Array {
    const count = this.featurizeInto(text, this.scratch, 0);
    return this.scratch.slice(0, count);
  }

  /**
   * Featurizes and pads a batch; width is the longest row (at least 1). With `into`, the batch's
   * arrays are views of those buffers (valid until they are packed again), else fresh arrays.
   */
  featurizeBatch(texts: readonly string[], into?: PackBuffers): PackedBatch {
    const max = this.params.maxFeatures;
    const rows = texts.length;
    if (this.scratch.length < rows * max) this.scratch = new Int32Array(rows * max);
    const counts = new Int32Array(rows);
    let width = 1;
    for (let r = 0; r < rows; r++) {
      const c = this.featurizeInto(texts[r] as string, this.scratch, r * max);
      counts[r] = c;
      if (c > width) width = c;
    }
    return packRows(this.scratch, max, counts, width, this.params.lengthPrior, into);
  }
}

/**
 * Buffers a caller reuses across batches. A padded batch of 64 posts is a few hundred KB, and
 * allocating (and zeroing) fresh typed arrays of that size cost as much as featurizing a tenth of
 * the batch; serving packs every batch into the same pair.
 */
export class PackBuffers {
  ids = new Int32Array(0);
  weights = new Float32Array(0);

  /** Views of `size` values each, growing the buffers when needed; contents are left as they were. */
  views(size: number): { ids: Int32Array; weights: Float32Array } {
    if (this.ids.length < size) {
      const capacity = Math.max(size, this.ids.length * 2);
      this.ids = new Int32Array(capacity);
      this.weights = new Float32Array(capacity);
    }
    return { ids: this.ids.subarray(0, size), weights: this.weights.subarray(0, size) };
  }
}

/** Copies rows of a strided scratch buffer into a dense [rows, width] batch with 1/(count + prior) weights. */
export function packRows(src: Int32Array, stride: number, counts: Int32Array, width: number, lengthPrior = 0, into?: PackBuffers): PackedBatch {
  const rows = counts.length;
  const size = rows * width;
  const { ids, weights } = into ? into.views(size) : { ids: new Int32Array(size), weights: new Float32Array(size) };
  for (let r = 0; r < rows; r++) {
    const c = counts[r] as number;
    const at = r * width;
    if (c > 0) {
      ids.set(src.subarray(r * stride, r * stride + c), at);
      weights.fill(1 / (c + lengthPrior), at, at + c);
    }
    if (into && c < width) {
      // Reused buffers hold the last batch: padding is weight 0 (and id 0, so runs are reproducible).
      ids.fill(0, at + c, at + width);
      weights.fill(0, at + c, at + width);
    }
  }
  return { rows, width, ids, weights };
}

/** Packs already-featurized rows (training, evaluation, the bench's ceiling run). */
export function packFeatures(rowsOfIds: readonly Int32Array[], lengthPrior = 0): PackedBatch {
  let width = 1;
  for (const r of rowsOfIds) if (r.length > width) width = r.length;
  const rows = rowsOfIds.length;
  const ids = new Int32Array(rows * width);
  const weights = new Float32Array(rows * width);
  rowsOfIds.forEach((r, i) => {
    if (r.length === 0) return;
    ids.set(r, i * width);
    weights.fill(1 / (r.length + lengthPrior), i * width, i * width + r.length);
  });
  return { rows, width, ids, weights };
}
