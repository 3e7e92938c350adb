import { modelVersionTag, type ModelManifest } from '../models/model-manifest.js';
import type { Signal, SignalAction, SignalHit, SignalInput, SignalOutput } from './signal.js';

/**
 * An image classifier (any `image-classification` model folder) as a Signal. It sends every
 * available image of every item in the call to `runBatch` at once (the caller decides how: in
 * process, or through the inference pool) and turns class probabilities into hits with the
 * manifest's per-label thresholds.
 *
 * Labels: policy speaks of categories, the model of classes. `policyLabels` maps model classes to
 * policy labels; for the nsfwjs model porn, hentai and sexy all mean `nsfw` (NSFW_POLICY_LABELS),
 * and the model class stays in the hit's evidence and reason. One hit per policy label and item:
 * the most severe action over all images and classes wins, then the higher score.
 */

export type ImageModelOutcome = { ok: true; probs: Record<string, number> } | { ok: false; error: string };
export type ImageModelBatchFn = (inputs: readonly { bytes: Uint8Array }[]) => Promise<ImageModelOutcome[]>;

/** nsfwjs classes → policy label. drawing and neutral are benign and carry no label. */
export const NSFW_POLICY_LABELS: Readonly<Record<string, string>> = { porn: 'nsfw', hentai: 'nsfw', sexy: 'nsfw' };

export interface ImageModelSignalOptions {
  manifest: ModelManifest;
  runBatch: ImageModelBatchFn;
  /** Model class → policy label; classes not listed keep their own name. */
  policyLabels?: Readonly<Record<string, string>>;
}

const SEVERITY: Record<SignalAction, number> = { none: 0, review: 1, takedown: 2 };

export class ImageModelSignal implements Signal {
  readonly name: string;
  readonly version: string;
  private readonly manifest: ModelManifest;
  private readonly runBatch: ImageModelBatchFn;
  private readonly policyLabels: Readonly<Record<string, string>>;

  constructor(options: ImageModelSignalOptions) {
    if (options.manifest.task !== 'image-classification') throw new Error(`image model signal needs an image-classification model, got ${options.manifest.task}`);
    this.manifest = options.manifest;
    this.runBatch = options.runBatch;
    this.policyLabels = options.policyLabels ?? {};
    this.version = modelVersionTag(options.manifest);
    this.name = `image-model:${this.version}`;
  }

  async evaluate(inputs: readonly SignalInput[]): Promise<SignalOutput[]> {
    const batch: { bytes: Uint8Array }[] = [];
    const owners: { item: number; image: number }[] = [];
    const outputs: SignalOutput[] = inputs.map(() => ({ hits: [] }));
    inputs.forEach((input, item) => {
      for (const img of input.images) {
        if (img.ok) {
          batch.push({ bytes: img.bytes });
          owners.push({ item, image: img.index });
        } else {
          addError(outputs[item] as SignalOutput, `image ${img.index}: not scored (${img.error})`);
        }
      }
    });
    if (batch.length === 0) return outputs;

    // A thrown error here is infrastructure (pool down, model missing): let the job retry.
    const results = await this.runBatch(batch);
    if (results.length !== batch.length) throw new Error(`${this.name}: runBatch returned ${results.length} results for ${batch.length} images`);

    const best = inputs.map(() => new Map<string, SignalHit>());
    results.forEach((result, k) => {
      const { item, image } = owners[k] as { item: number; image: number };
      const out = outputs[item] as SignalOutput;
      if (!result.ok) {
        addError(out, `image ${image}: ${result.error}`);
        return;
      }
      // Scores for the record: per model class, the highest over the item's images.
      out.scores ??= {};
      for (const [label, p] of Object.entries(result.probs)) out.scores[label] = Math.max(out.scores[label] ?? 0, p);
      for (const hit of this.hitsFor(result.probs, image)) {
        const current = best[item]?.get(hit.label);
        if (!current || SEVERITY[hit.action] > SEVERITY[current.action] || (hit.action === current.action && hit.score > current.score)) {
          best[item]?.set(hit.label, hit);
        }
      }
    });
    best.forEach((hits, item) => {
      (outputs[item] as SignalOutput).hits = [...hits.values()];
    });
    return outputs;
  }

  /** Thresholded classes of one image, as hits (only those at or above `review`). */
  private hitsFor(probs: Record<string, number>, image: number): SignalHit[] {
    const hits: SignalHit[] = [];
    for (const [modelLabel, t] of Object.entries(this.manifest.thresholds)) {
      const score = probs[modelLabel];
      if (score === undefined) continue;
      const action: SignalAction = score >= t.takedown ? 'takedown' : score >= t.review ? 'review' : 'none';
      if (action === 'none') continue;
      const threshold = action === 'takedown' ? t.takedown : t.review;
      hits.push({
        signal: this.name,
        label: this.policyLabels[modelLabel] ?? modelLabel,
        score,
        action,
        reason: `image ${image}: ${modelLabel} ${score.toFixed(3)} ≥ ${action} threshold ${threshold}`,
        evidence: { model: this.version, imageIndex: image, modelLabel, threshold, probs },
      });
    }
    return hits;
  }
}

function addError(out: SignalOutput, message: string): void {
  (out.errors ??= []).push(message);
}
