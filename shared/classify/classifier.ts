import type { Item } from '../items/item-schema.js';
import { decide, type Decision } from '../policy/policy.js';
import type { ImageSource, Signal, SignalHit, SignalInput } from '../signals/signal.js';

export type MediaLoader = (item: Item) => Promise<ImageSource[]>;

export interface Classification extends Decision {
  hits: SignalHit[];
  /** Highest score per label over all signals. */
  scores: Record<string, number>;
  /** Per-signal failures confined to this item (a corrupt image...). */
  errors: string[];
  model_version: string;
}

/** What text signals read: title, text and link, one per line. */
export function textOf(item: Item): string {
  return [item.title, item.text, item.url].filter((s): s is string => Boolean(s)).join('\n');
}

/** Versions of every signal together: changing any of them makes sweeps re-classify. */
export function combinedVersion(signals: readonly Signal[]): string {
  return signals.map((s) => s.version).sort().join('+');
}

/**
 * Runs every signal over a batch and applies the policy. A signal that throws for the whole
 * batch (a dead inference thread) throws here too: that is an infrastructure error to retry.
 */
export class Classifier {
  readonly modelVersion: string;

  constructor(
    private readonly signals: readonly Signal[],
    private readonly loadMedia: MediaLoader = async () => [],
    /** Releases what the signals run on (inference pools). */
    private readonly release: () => Promise<void> = async () => undefined,
  ) {
    this.modelVersion = combinedVersion(signals);
  }

  async classify(items: readonly Item[]): Promise<Classification[]> {
    const images = await Promise.all(items.map((i) => (i.media.length > 0 ? this.loadMedia(i) : Promise.resolve([]))));
    const inputs: SignalInput[] = items.map((item, k) => ({ item, text: textOf(item), images: images[k] ?? [] }));
    const outputs = await Promise.all(this.signals.map((s) => s.evaluate(inputs)));
    return items.map((_, k) => {
      const hits: SignalHit[] = [];
      const scores: Record<string, number> = {};
      const errors: string[] = [];
      for (const out of outputs) {
        const o = out[k];
        if (!o) continue;
        hits.push(...o.hits);
        for (const [label, score] of Object.entries(o.scores ?? {})) scores[label] = Math.max(scores[label] ?? 0, score);
        for (const h of o.hits) scores[h.label] = Math.max(scores[h.label] ?? 0, h.score);
        errors.push(...(o.errors ?? []));
      }
      for (const img of images[k] ?? []) if (!img.ok) errors.push(`image ${img.index}: ${img.error}`);
      return { ...decide(hits), hits, scores, errors, model_version: this.modelVersion };
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.signals.map((s) => s.close?.()));
    await this.release();
  }
}
