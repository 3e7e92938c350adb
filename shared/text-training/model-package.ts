import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { modelManifestSchema, type ModelManifest } from '../models/model-manifest.js';
import { formatReport, type EvalReport } from './evaluation.js';
import { REVIEW_MIN_RECALL, TAKEDOWN_MIN_PRECISION, TAKEDOWN_MIN_SUPPORT, TAKEDOWN_PICK_PRECISION } from './thresholds.js';

/** Writes a model folder (DESIGN §4): model.onnx, manifest.json (validated), MODEL_CARD.md. */
export async function writeModelFolder(dir: string, onnx: Uint8Array, manifest: ModelManifest, card: string): Promise<void> {
  const checked = modelManifestSchema.parse(manifest);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'model.onnx'), onnx);
  await writeFile(path.join(dir, 'manifest.json'), `${JSON.stringify(checked, null, 2)}\n`);
  await writeFile(path.join(dir, 'MODEL_CARD.md'), card);
}

export interface CardInput {
  manifest: ModelManifest;
  /** The report on the scores thresholds were picked from. */
  calibration: EvalReport;
  /** What those scores are: the calibration split, or cross-fitted out-of-fold scores. */
  calibrationName: string;
  heldout?: EvalReport;
  dataSummary: string;
  thresholdNotes: Record<string, string>;
}

/** The model card is generated with the model, so its numbers are always the model's own. */
export function renderModelCard(c: CardInput): string {
  const m = c.manifest;
  const t = m.training as Record<string, unknown>;
  const thresholdRows = m.labels.map((l) => {
    const th = m.thresholds[l];
    return `| ${l} | ${th ? th.review.toFixed(4) : '-'} | ${th ? (th.takedown >= 1 ? 'never (1)' : th.takedown.toFixed(4)) : '-'} | ${c.thresholdNotes[l] ?? ''} |`;
  });
  return `# ${m.name} ${m.version}

Multi-label policy classifier for public channel posts: ${m.labels.map((l) => `\`${l}\``).join(', ')}
(no label = benign). Trained and exported by \`modpipe train\`; evaluate with
\`modpipe eval --model models/${m.name} --data models/data/heldout.jsonl\`.
CSAM is out of scope and never learned from text.

## Model

fastText-style: the text is normalised and folded (shared/text/normalize-text.ts: NFKC plus accent
folding, case folding, zero-width/control removal, mixed-script homoglyph folding toward the
word's majority script, leet, spaced and dotted letters, stretched letters, URLs → \`<url>\` + host,
@handles → \`<handle>\`, numbers in any script's digits → \`<num>\`/\`<phone>\`/\`<longnum>\`; Indic and
Thai vowel signs kept in their words; Chinese and Japanese runs cut into character bigrams plus
single ideographs, Thai, Lao, Khmer and Myanmar runs into pieces of at most 24 code units), then hashed
(FNV-1a + murmur3 finaliser) into 2^${String((m.featurizer.params as { bucketsLog2?: number }).bucketsLog2)} buckets: character
${String((m.featurizer.params as { charNgramMin?: number }).charNgramMin)}–${String((m.featurizer.params as { charNgramMax?: number }).charNgramMax)}-grams of each word, word unigrams and
word ${String((m.featurizer.params as { wordNgrams?: number }).wordNgrams)}-grams. Embeddings (dimension ${String(t.dim)}) are averaged (the mean divides by count + ${String((m.featurizer.params as { lengthPrior?: number }).lengthPrior)},
so a short text is judged less confidently), a linear layer and one sigmoid per label follow;
trained with SGD (${String(t.epochs)} epochs, lr ${String(t.lr)} decaying linearly, seeds ${String(t.seed)}…), binary cross-entropy per label
with positives weighted ×${String(t.positiveWeight)}, ${Math.round(Number(t.featureDropout) * 100)} % of a text's features dropped at random each time it is seen,
and ${String(t.ensemble)} models whose logits are averaged into one (no cost at serving time). Trained on ${String(t.fitOn)}.
These settings were chosen by 4-fold cross-validation on the training split alone (macro-F1 at 0.5
and PR-AUC of out-of-fold scores); calibration and held-out played no part. Because the model is linear up to the sigmoid, the exported ONNX holds the
embedding table already multiplied through the linear layer ([buckets, labels]); scores are identical
to the trainer's (tested to 1e-5) and inference gathers ${m.labels.length} floats per feature instead of ${String(t.dim)}.

Inputs: \`ids\` int32 [N, L] (bucket ids, zero-padded), \`weights\` float [N, L] (1/(count + lengthPrior), 0 for
padding). The exported logits are the trained ones × ${String(t.scoreTemperature)} (ranking and the 0.5 point unchanged) and
are clipped to ±${String(t.logitCap)} before the sigmoid: float32 scores then keep the most confident texts
apart instead of all rounding to 1, and a takedown threshold of 1 unambiguously means "never".
${t.decisionShift ? `Each label's bias is then lowered by the logit of the score where F1 peaks on the out-of-fold scores
(${Object.entries(t.decisionShift as Record<string, number>).map(([l, v]) => `${l} ${v.toFixed(3)}`).join(', ')}), so a score of 0.5 is that
label's best single decision point: weighting positives up moves each label's 0.5 point by its own amount.
Ranking does not change, and the review and takedown thresholds below are picked on the shifted out-of-fold scores.
The out-of-fold P/R/F1 at 0.5 reported below are therefore a little optimistic (the point was tuned on them);
the held-out figures are not.
` : ''}Output: \`scores\` float [N, ${m.labels.length}] in label order. Featurizer: \`${m.featurizer.name}\` with the params in manifest.json.

## Data

${c.dataSummary}

## Thresholds

Chosen on the ${c.calibrationName}, never on held-out. With cross-fitting, train and calibration
are pooled and cut into 4 folds (near-duplicates kept in one fold); each text is scored by the same
recipe (ensemble and all) trained on the other three folds, and the thresholds are picked on those
out-of-fold scores; the exported model is then trained on the whole pool. This gives the thresholds
about five times the positives a calibration split alone would, which matters for a 0.97 precision
target, and gives the model a quarter more data; the held-out split is never touched.

- **takedown**: the policy needs precision ≥ ${TAKEDOWN_MIN_PRECISION} on unseen texts. The threshold is the lowest
  score t such that precision over {score ≥ t} ≥ ${TAKEDOWN_PICK_PRECISION} on the picking scores, resting on at least
  ${TAKEDOWN_MIN_SUPPORT} true positives: the margin covers the optimism of picking on a noisy curve (in a
  simulation on training data only, picking at exactly ${TAKEDOWN_MIN_PRECISION} held that precision on unseen
  texts about half the time; picking at ${TAKEDOWN_PICK_PRECISION} about three times in four). Where no score reaches
  it, takedown is 1 (never automatic).
- **review**: the highest score t such that recall over {score ≥ t} ≥ ${REVIEW_MIN_RECALL} (capped at takedown).

| label | review | takedown | note |
| --- | --- | --- | --- |
${thresholdRows.join('\n')}

## Metrics

P/R/F1 columns are at score ≥ 0.5; macro-F1 averages F1 over the six labels. The keyword baseline
flags a text containing any of a label's most discriminative training words (list size picked on
calibration).

${c.heldout ? `### Held-out split (reported, never tuned on)\n\n\`\`\`\n${formatReport(c.heldout)}\n\`\`\`\n` : ''}
### Threshold-picking scores: ${c.calibrationName}

\`\`\`
${formatReport(c.calibration)}
\`\`\`

## Limitations

- The issue's bar is macro-F1 ≥ 0.90 on held-out; this model does not reach it (see above). The
  corpus has about 25–60 training texts per label and language, each label spanning many
  sub-scenarios; most misses are scenarios seen in few languages or not at all. More data per
  label and language is what would move it, not more tuning.
- Held-out is a random (stratified, near-duplicate-grouped) split of the same corpus. The corpus
  README notes that ru/uk/kk/de violations were written as adaptations of the English scenarios;
  ru/uk pairs are grouped by the split, other cross-language adaptations cannot be detected, so
  held-out figures are optimistic for independently written text (compare the per-language rows:
  the independently written es/ar/ko sets score lowest).
- Held-out figures of earlier candidate models were looked at during development; two changes came
  after such a look (thresholds from cross-fitting instead of the calibration split alone, and the
  0.99 picking margin for takedown), each backed by a training-data-only check before adoption.

- The corpus is synthetic and small per language and label; held-out scores measure agreement with
  how it was written, not with real traffic. Expect lower precision on real posts; watch the review
  queue and retrain with moderator decisions.
- Long texts are read as their first ${String(Math.round(((m.featurizer.params as { maxChars?: number }).maxChars ?? 0) * 2 / 3))} and last ${String(Math.round(((m.featurizer.params as { maxChars?: number }).maxChars ?? 0) / 3))} characters.
- SpamAssassin e-mails (2002, English) stand for \`spam\` and benign mail: they teach e-mail spam, not
  channel spam in other languages; 419 scams in them are labelled \`spam\` only.
- A bag of n-grams does not understand negation or quotation well: news, warnings and counter-speech
  that repeat a seller's exact wording can still score high, which is what review is for.
`;
}
