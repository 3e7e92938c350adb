import { Prng } from './prng.js';

/**
 * fastText-style supervised model: hashed n-gram embeddings averaged into a text vector, a linear
 * layer, one sigmoid per label (one-vs-all, binary cross-entropy), trained by plain SGD with
 * fastText's linearly decaying learning rate and sparse updates (only the rows a text touches).
 * Everything is deterministic for a seed: one PRNG draws the initial weights and each epoch's
 * order, and the arithmetic is sequential.
 */

export interface TrainingSample {
  features: Int32Array;
  /** 0/1 per label, in label order. */
  labels: Uint8Array;
}

export interface TrainOptions {
  dim: number;
  epochs: number;
  /** Initial learning rate; decays linearly to 0 over the run. */
  lr: number;
  seed: number;
  /**
   * Weight of a positive label's loss against a negative one. Each label is positive on a few
   * percent of texts; weighting positives up moves the 0.5 point toward balanced errors.
   */
  positiveWeight?: number;
  /**
   * Share of a text's features dropped at random each time it is seen (0 = none): augmentation
   * for a small corpus, so the model leans on several cues rather than one memorised n-gram.
   */
  featureDropout?: number;
  /** The featurizer's lengthPrior: the mean divides by count + lengthPrior. */
  lengthPrior?: number;
  /** Called after each epoch with the mean per-label BCE of that epoch. */
  onEpoch?: (epoch: number, loss: number) => void;
}

export class FastTextModel {
  constructor(
    readonly buckets: number,
    readonly dim: number,
    readonly labelCount: number,
    /** [buckets, dim] */
    readonly input: Float32Array,
    /** [labels, dim] */
    readonly output: Float32Array,
    /** [labels] */
    readonly bias: Float32Array,
    readonly lengthPrior = 0,
  ) {}

  static create(buckets: number, dim: number, labelCount: number, rng: Prng, lengthPrior = 0): FastTextModel {
    // Input rows start at zero, so a bucket no training text touched contributes exactly nothing
    // at serving time (and compresses to nothing in git); the output layer carries the random
    // start instead, which is what breaks the symmetry.
    const output = new Float32Array(labelCount * dim);
    const scale = 1 / Math.sqrt(dim);
    for (let i = 0; i < output.length; i++) output[i] = (rng.next() * 2 - 1) * scale;
    return new FastTextModel(buckets, dim, labelCount, new Float32Array(buckets * dim), output, new Float32Array(labelCount), lengthPrior);
  }

  /** Mean of the input rows of `features` into `hidden`. */
  private embed(features: Int32Array, hidden: Float64Array): void {
    const D = this.dim;
    hidden.fill(0);
    const n = features.length;
    if (n === 0) return;
    for (let f = 0; f < n; f++) {
      const row = (features[f] as number) * D;
      for (let d = 0; d < D; d++) hidden[d] = (hidden[d] as number) + (this.input[row + d] as number);
    }
    const inv = 1 / (n + this.lengthPrior);
    for (let d = 0; d < D; d++) hidden[d] = (hidden[d] as number) * inv;
  }

  /** Per-label scores from the trainer's own factorized weights (float64 accumulation), as served. */
  score(features: Int32Array): Float64Array {
    const D = this.dim;
    const hidden = new Float64Array(D);
    this.embed(features, hidden);
    const out = new Float64Array(this.labelCount);
    for (let k = 0; k < this.labelCount; k++) {
      let z = this.bias[k] as number;
      for (let d = 0; d < D; d++) z += (this.output[k * D + d] as number) * (hidden[d] as number);
      out[k] = servedScore(z);
    }
    return out;
  }

  /** The exportable form: see foldedTable. */
  toLinear(): LinearTextModel {
    return new LinearTextModel(this.buckets, this.labelCount, this.foldedTable(), Float32Array.from(this.bias), this.lengthPrior);
  }

  /**
   * The embedding table multiplied through the linear layer: [buckets, labels]. The model is
   * linear up to the sigmoid, so mean(E[ids]) · Wᵀ = mean((E · Wᵀ)[ids]); exporting this product
   * makes inference gather `labels` floats per feature instead of `dim`.
   */
  foldedTable(): Float32Array {
    const { buckets, dim: D, labelCount: K } = this;
    const table = new Float32Array(buckets * K);
    for (let b = 0; b < buckets; b++) {
      const row = b * D;
      let zero = true;
      for (let d = 0; d < D; d++) if (this.input[row + d] !== 0) zero = false;
      if (zero) continue;
      for (let k = 0; k < K; k++) {
        let s = 0;
        for (let d = 0; d < D; d++) s += (this.input[row + d] as number) * (this.output[k * D + d] as number);
        table[b * K + k] = s;
      }
    }
    return table;
  }
}

/**
 * What is exported: per bucket, one logit contribution per label ([buckets, labels]), and a bias.
 * Averaging several such models (an ensemble of seeds) averages their logits and is again one
 * model of the same shape, so an ensemble costs nothing at serving time.
 */
export class LinearTextModel {
  constructor(
    readonly buckets: number,
    readonly labelCount: number,
    readonly table: Float32Array,
    readonly bias: Float32Array,
    readonly lengthPrior = 0,
  ) {}

  static average(models: readonly LinearTextModel[]): LinearTextModel {
    const first = models[0];
    if (!first) throw new Error('average of no models');
    const table = new Float32Array(first.table.length);
    const bias = new Float32Array(first.bias.length);
    for (let i = 0; i < table.length; i++) {
      let s = 0;
      for (const m of models) s += m.table[i] as number;
      table[i] = s / models.length;
    }
    for (let k = 0; k < bias.length; k++) {
      let s = 0;
      for (const m of models) s += m.bias[k] as number;
      bias[k] = s / models.length;
    }
    return new LinearTextModel(first.buckets, first.labelCount, table, bias, first.lengthPrior);
  }

  /**
   * The same model with logits multiplied by `factor` (table and bias scaled: the model is
   * linear). Ranking and the 0.5 decision point (logit 0) do not change; see SCORE_TEMPERATURE.
   */
  scaled(factor: number): LinearTextModel {
    return new LinearTextModel(this.buckets, this.labelCount, this.table.map((v) => v * factor), this.bias.map((v) => v * factor), this.lengthPrior);
  }

  /**
   * The same model with label k's logit lowered by shifts[k] (through the bias): moves where
   * each label's score crosses 0.5 without changing its ranking.
   */
  shifted(shifts: ArrayLike<number>): LinearTextModel {
    return new LinearTextModel(this.buckets, this.labelCount, this.table, this.bias.map((b, k) => b - ((shifts[k] as number | undefined) ?? 0)), this.lengthPrior);
  }

  /** Scores as the exported graph computes them (mean of table rows + bias, clipped, sigmoid). */
  score(features: Int32Array): Float64Array {
    const K = this.labelCount;
    const out = new Float64Array(K);
    const n = features.length;
    for (let f = 0; f < n; f++) {
      const row = (features[f] as number) * K;
      for (let k = 0; k < K; k++) out[k] = (out[k] as number) + (this.table[row + k] as number);
    }
    const denom = n + this.lengthPrior;
    for (let k = 0; k < K; k++) out[k] = servedScore((denom ? (out[k] as number) / denom : 0) + (this.bias[k] as number));
    return out;
  }
}

/**
 * Served scores are float32, and float32 sigmoid reaches exactly 1 from a logit of about 17:
 * confident texts would all tie at 1 and a threshold of 1 could not mean "never". Logits are
 * clipped to ±LOGIT_CAP before the sigmoid, in the graph and here alike, so the top score is
 * sigmoid(15) ≈ 0.9999997 and 1 stays out of reach.
 */
export const LOGIT_CAP = 15;
/**
 * The exported model's logits are the trained logits times this factor. Trained logits of
 * confident texts run far past 15 (positives are weighted up, and long texts add evidence), and
 * without the scaling they would all tie at the cap, leaving no ranking at the top where the
 * takedown threshold lives. A quarter keeps trained logits up to 60 apart.
 */
export const SCORE_TEMPERATURE = 0.25;

/** The served score of a logit: clipped, sigmoid, rounded to float32 as onnxruntime returns it. */
export function servedScore(z: number): number {
  return Math.fround(sigmoid(Math.max(-LOGIT_CAP, Math.min(LOGIT_CAP, z))));
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

export function trainFastText(samples: readonly TrainingSample[], labelCount: number, buckets: number, opts: TrainOptions): FastTextModel {
  const rng = new Prng(opts.seed);
  const prior = opts.lengthPrior ?? 0;
  const model = FastTextModel.create(buckets, opts.dim, labelCount, rng, prior);
  const { input, output, bias } = model;
  const D = opts.dim;
  const K = labelCount;
  const hidden = new Float64Array(D);
  const gradHidden = new Float64Array(D);
  const order = samples.map((_, i) => i);
  const posWeight = opts.positiveWeight ?? 1;
  const dropout = opts.featureDropout ?? 0;
  let kept = new Int32Array(1024);
  const totalSteps = Math.max(1, opts.epochs * samples.length);
  let step = 0;
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    rng.shuffle(order);
    let lossSum = 0;
    for (const idx of order) {
      const sample = samples[idx] as TrainingSample;
      let feats = sample.features;
      if (dropout > 0 && feats.length > 1) {
        if (kept.length < feats.length) kept = new Int32Array(feats.length * 2);
        let m = 0;
        for (let f = 0; f < feats.length; f++) if (rng.next() >= dropout) kept[m++] = feats[f] as number;
        if (m === 0) kept[m++] = feats[0] as number;
        feats = kept.subarray(0, m);
      }
      const n = feats.length;
      const lr = opts.lr * (1 - step / totalSteps);
      step++;
      if (n === 0) continue;
      // Forward: hidden = mean of input rows.
      hidden.fill(0);
      for (let f = 0; f < n; f++) {
        const row = (feats[f] as number) * D;
        for (let d = 0; d < D; d++) hidden[d] = (hidden[d] as number) + (input[row + d] as number);
      }
      const inv = 1 / (n + prior);
      for (let d = 0; d < D; d++) hidden[d] = (hidden[d] as number) * inv;
      // Per label: sigmoid, BCE gradient, output update; accumulate the gradient for hidden.
      gradHidden.fill(0);
      for (let k = 0; k < K; k++) {
        const wk = k * D;
        let z = bias[k] as number;
        for (let d = 0; d < D; d++) z += (output[wk + d] as number) * (hidden[d] as number);
        const p = sigmoid(z);
        const y = sample.labels[k] as number;
        lossSum -= y ? posWeight * Math.log(Math.max(p, 1e-12)) : Math.log(Math.max(1 - p, 1e-12));
        const g = y ? (p - 1) * posWeight : p;
        if (g === 0) continue;
        for (let d = 0; d < D; d++) {
          gradHidden[d] = (gradHidden[d] as number) + g * (output[wk + d] as number);
          output[wk + d] = (output[wk + d] as number) - lr * g * (hidden[d] as number);
        }
        bias[k] = (bias[k] as number) - lr * g;
      }
      // Sparse update: only the rows this text touched; d(mean)/d(row) = 1/(n + prior) per occurrence.
      const scale = lr * inv;
      for (let f = 0; f < n; f++) {
        const row = (feats[f] as number) * D;
        for (let d = 0; d < D; d++) input[row + d] = (input[row + d] as number) - scale * (gradHidden[d] as number);
      }
    }
    opts.onEpoch?.(epoch + 1, lossSum / Math.max(1, samples.length * K));
  }
  return model;
}
