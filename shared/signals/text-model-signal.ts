import { modelVersionTag, type ModelManifest } from '../models/model-manifest.js';
import type { Signal, SignalAction, SignalHit, SignalInput, SignalOutput } from './signal.js';
import { dominantScript, scriptsOfLanguages, type Script } from '../text/script-coverage.js';

/** Scores per label for each text, in input order: the text runner, usually behind the inference pool. */
export type TextRunBatch = (texts: readonly string[]) => Promise<Record<string, number>[]>;

export interface TextModelSignalOptions {
  runBatch: TextRunBatch;
  manifest: ModelManifest;
  /**
   * Scripts the model reads. Text in another script is scored and recorded but never acted on.
   * Default: the scripts of the languages in the manifest's training counts (all, if none listed).
   */
  scripts?: ReadonlySet<Script>;
}

export class TextSignalError extends Error {
  override readonly name = 'TextSignalError';
}

/**
 * The text model as a Signal: one runBatch call per evaluate() (items without text are not sent),
 * scores turned into hits through the manifest's per-label thresholds. A takedown threshold of 1
 * means the label never reached the required precision on calibration: it is reviewed, never
 * taken down automatically. Labels without thresholds are scored and recorded only.
 */
export class TextModelSignal implements Signal {
  readonly name: string;
  readonly version: string;
  private readonly runBatch: TextRunBatch;
  private readonly manifest: ModelManifest;
  private readonly scripts: ReadonlySet<Script> | null;

  constructor(options: TextModelSignalOptions) {
    if (options.manifest.task !== 'text-classification') {
      throw new TextSignalError(`model ${modelVersionTag(options.manifest)} is a ${options.manifest.task} model, not text-classification`);
    }
    this.manifest = options.manifest;
    this.runBatch = options.runBatch;
    const trained = Object.keys(((options.manifest.training as { trainCounts?: { langs?: Record<string, number> } }).trainCounts?.langs) ?? {});
    this.scripts = options.scripts ?? (trained.length ? scriptsOfLanguages(trained) : null);
    this.name = `text-model:${modelVersionTag(options.manifest)}`;
    this.version = modelVersionTag(options.manifest);
  }

  async evaluate(inputs: readonly SignalInput[]): Promise<SignalOutput[]> {
    const sent: number[] = [];
    const texts: string[] = [];
    inputs.forEach((input, i) => {
      if (input.text.trim().length > 0) {
        sent.push(i);
        texts.push(input.text);
      }
    });
    const outputs: SignalOutput[] = inputs.map(() => ({ hits: [] }));
    if (!texts.length) return outputs;
    const scores = await this.runBatch(texts);
    if (scores.length !== texts.length) {
      throw new TextSignalError(`${this.name}: runner returned ${scores.length} results for ${texts.length} texts`);
    }
    sent.forEach((itemIndex, j) => {
      const script = this.scripts ? dominantScript(texts[j]!) : null;
      const readable = !this.scripts || script === null || this.scripts.has(script);
      outputs[itemIndex] = this.toOutput(scores[j] as Record<string, number>, readable ? null : script);
    });
    return outputs;
  }

  /** Thresholds → action for one label's score. */
  actionFor(label: string, score: number): SignalAction {
    const t = this.manifest.thresholds[label];
    if (!t) return 'none';
    if (t.takedown < 1 && score >= t.takedown) return 'takedown';
    if (score >= t.review) return 'review';
    return 'none';
  }

  /** `unreadScript`: the text is in a script the model was not trained on; scores are kept, not acted on. */
  private toOutput(scores: Record<string, number>, unreadScript: Script | null): SignalOutput {
    const hits: SignalHit[] = [];
    const recorded: Record<string, number> = {};
    const errors: string[] = unreadScript ? [`${this.name}: text is in ${unreadScript} script, which the model was not trained on; its scores are recorded, not acted on`] : [];
    for (const label of this.manifest.labels) {
      const score = scores[label];
      if (typeof score !== 'number' || !Number.isFinite(score)) {
        errors.push(`${this.name}: no score for label ${label}`);
        continue;
      }
      recorded[label] = score;
      const action = unreadScript ? 'none' : this.actionFor(label, score);
      if (action === 'none') continue;
      const t = this.manifest.thresholds[label] as { review: number; takedown: number };
      hits.push({
        signal: this.name,
        label,
        score,
        action,
        reason: `text model scores ${label} ${score.toFixed(3)} (${action} at >= ${(action === 'takedown' ? t.takedown : t.review).toFixed(3)})`,
        evidence: { model: modelVersionTag(this.manifest), review: t.review, takedown: t.takedown },
      });
    }
    return errors.length ? { hits, scores: recorded, errors } : { hits, scores: recorded };
  }
}
