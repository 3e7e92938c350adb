import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { ModelManifest } from '../models/model-manifest.js';
import { TEXT_FEATURIZER_NAME, TextFeaturizer, type TextFeaturizerParams } from '../text/text-featurizer.js';
import { TextModelSession } from '../text/text-model-session.js';
import { TEXT_LABELS, labelVector, readStrictJsonl, type TextRecord } from './dataset.js';
import type { EvalReport } from './evaluation.js';
import { DEFAULT_SPLIT } from './corpus-split.js';
import { crossFitFolds, crossFitModels, outOfFoldScores, trainEnsemble, type EnsembleOptions } from './ensemble-training.js';
import { evaluate, truthOf } from './evaluation.js';
import { pickF1Threshold } from './metrics.js';
import { LOGIT_CAP, SCORE_TEMPERATURE, type LinearTextModel, type TrainingSample } from './fasttext-trainer.js';
import { KeywordBaseline } from './keyword-baseline.js';
import { renderModelCard, writeModelFolder } from './model-package.js';
import { TEXT_MODEL_INPUTS, TEXT_MODEL_OUTPUTS, buildTextModelOnnx } from './onnx-export.js';
import { evaluateWithBaseline, scoreWithSession, summarizeReport } from './score-dataset.js';
import { SERVED_SCORE_TOLERANCE, chooseThresholds } from './thresholds.js';

export interface TrainModelOptions {
  trainPath: string;
  calibPath: string;
  /** Evaluated after every choice is frozen, for the manifest and card only. */
  heldoutPath?: string;
  outDir: string;
  name: string;
  version: string;
  seed: number;
  epochs: number;
  dim: number;
  lr: number;
  /** See TrainOptions. */
  positiveWeight: number;
  featureDropout: number;
  /** Models trained with seeds seed, seed+1, ...; their logits are averaged into one exported model. */
  ensemble: number;
  /**
   * `calibration`: train on train, pick thresholds on the calibration split's scores.
   * `crossfit` (default): train on train + calibration; pick thresholds on out-of-fold scores of
   * both (4 folds, near-duplicates kept in one fold). Five times the data for thresholds, 25 %
   * more for the model; held-out stays untouched either way.
   */
  thresholdMode: 'calibration' | 'crossfit';
  featurizer: TextFeaturizerParams;
  log?: (line: string) => void;
}

export interface TrainModelResult {
  manifest: ModelManifest;
  model: LinearTextModel;
  calibration: EvalReport;
  heldout?: EvalReport;
}

const CROSSFIT_FOLDS = 4;

/**
 * Positives are weighted up in training (recall matters to moderation), which moves each
 * label's 0.5 point by an amount that differs per label. The exported model's bias is shifted
 * so that 0.5 sits where F1 peaks on the out-of-fold scores: the logit of that score. 0 where
 * the label has no positives.
 */
function decisionShiftFor(scores: Float64Array, truth: Uint8Array): number {
  const t = pickF1Threshold(scores, truth);
  if (t === null || t <= 0 || t >= 1) return 0;
  return Math.log(t / (1 - t));
}

async function sha256(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

function countBy(records: readonly TextRecord[]): { langs: Record<string, number>; labels: Record<string, number>; benign: number } {
  const langs: Record<string, number> = {};
  const labels: Record<string, number> = {};
  let benign = 0;
  for (const r of records) {
    langs[r.lang] = (langs[r.lang] ?? 0) + 1;
    if (!r.labels.length) benign++;
    for (const l of r.labels) labels[l] = (labels[l] ?? 0) + 1;
  }
  const sorted = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
  return { langs: sorted(langs), labels: sorted(labels), benign };
}

function describeSplit(name: string, records: readonly TextRecord[]): string {
  const c = countBy(records);
  const sources = new Map<string, number>();
  for (const r of records) sources.set(r.source ?? 'corpus', (sources.get(r.source ?? 'corpus') ?? 0) + 1);
  return [
    `- **${name}**: ${records.length} texts, ${c.benign} benign`,
    `  - labels: ${Object.entries(c.labels).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `  - languages: ${Object.entries(c.langs).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `  - sources: ${[...sources].map(([k, v]) => `${k} ${v}`).join(', ')}`,
  ].join('\n');
}

/** Featurize, train, export, pick thresholds (calibration or cross-fitting), evaluate, write the model folder. */
export async function trainModel(o: TrainModelOptions): Promise<TrainModelResult> {
  const log = o.log ?? (() => {});
  const labels = [...TEXT_LABELS];
  const train = await readStrictJsonl(o.trainPath);
  const calib = await readStrictJsonl(o.calibPath);
  const heldout = o.heldoutPath ? await readStrictJsonl(o.heldoutPath) : undefined;
  log(`train ${train.length} texts, calibration ${calib.length}${heldout ? `, held-out ${heldout.length}` : ''}`);

  const featurizer = new TextFeaturizer(o.featurizer);
  const crossfit = o.thresholdMode === 'crossfit';
  const fitRecords = crossfit ? [...train, ...calib] : train;
  const t0 = performance.now();
  const samples: TrainingSample[] = fitRecords.map((r) => ({ features: featurizer.featurize(r.text), labels: labelVector(r, labels) }));
  const featureCount = samples.reduce((a, s) => a + s.features.length, 0);
  log(`featurized in ${((performance.now() - t0) / 1000).toFixed(1)} s, ${(featureCount / samples.length).toFixed(0)} features per text`);

  const recipe: EnsembleOptions = {
    dim: o.dim,
    epochs: o.epochs,
    lr: o.lr,
    seed: o.seed,
    positiveWeight: o.positiveWeight,
    featureDropout: o.featureDropout,
    lengthPrior: featurizer.params.lengthPrior,
    ensemble: o.ensemble,
  };
  const t1 = performance.now();
  let oof: Float64Array[] | undefined;
  let decisionShift: number[] | undefined;
  if (crossfit) {
    const fold = crossFitFolds(fitRecords, CROSSFIT_FOLDS, DEFAULT_SPLIT.nearDuplicateThreshold);
    const foldModels = crossFitModels(samples, fold, CROSSFIT_FOLDS, labels.length, featurizer.buckets, recipe, log);
    const raw = outOfFoldScores(samples, fold, foldModels, labels.length);
    decisionShift = labels.map((l, k) => decisionShiftFor(raw[k] as Float64Array, truthOf(fitRecords, l)));
    const shift = decisionShift;
    oof = outOfFoldScores(samples, fold, foldModels.map((m) => m.shifted(shift)), labels.length);
  }
  log(`final model on ${samples.length} texts`);
  const trained = trainEnsemble(samples, labels.length, featurizer.buckets, recipe, log);
  const model = decisionShift ? trained.shifted(decisionShift) : trained;
  log(`trained in ${((performance.now() - t1) / 1000).toFixed(1)} s`);

  const onnx = buildTextModelOnnx(
    { table: model.table, bias: model.bias, buckets: featurizer.buckets, labels },
    { name: o.name, version: o.version, labels: labels.join(',') },
  );
  const manifest: ModelManifest = {
    name: o.name,
    version: o.version,
    task: 'text-classification',
    featurizer: { name: TEXT_FEATURIZER_NAME, params: { ...featurizer.params } },
    labels,
    thresholds: {},
    inputs: [...TEXT_MODEL_INPUTS],
    outputs: [...TEXT_MODEL_OUTPUTS],
    metrics: {},
    training: {
      trainer: 'modpipe-fasttext-sgd',
      dim: o.dim,
      epochs: o.epochs,
      lr: o.lr,
      seed: o.seed,
      positiveWeight: o.positiveWeight,
      featureDropout: o.featureDropout,
      ensemble: o.ensemble,
      thresholdMode: o.thresholdMode,
      ...(decisionShift ? { decisionShift: Object.fromEntries(labels.map((l, k) => [l, Number((decisionShift as number[])[k]?.toFixed(6))])) } : {}),
      scoreTemperature: SCORE_TEMPERATURE,
      logitCap: LOGIT_CAP,
      ...(crossfit ? { crossFitFolds: CROSSFIT_FOLDS, fitOn: 'train + calibration' } : { fitOn: 'train' }),
      trainData: o.trainPath,
      trainSha256: await sha256(o.trainPath),
      calibrationData: o.calibPath,
      calibrationSha256: await sha256(o.calibPath),
      ...(o.heldoutPath ? { heldoutData: o.heldoutPath, heldoutSha256: await sha256(o.heldoutPath) } : {}),
      trainCounts: countBy(train),
      calibrationCounts: countBy(calib),
      ...(heldout ? { heldoutCounts: countBy(heldout) } : {}),
    },
  };
  // Write once without thresholds so the real serving path (TextModelSession over model.onnx)
  // produces the calibration and held-out scores.
  await writeModelFolder(o.outDir, onnx, manifest, `# ${o.name}\n\n(training in progress)\n`);
  const session = await TextModelSession.load(o.outDir);
  try {
    // Thresholds come from scores the scoring model never trained on: the calibration split's
    // (through the exported ONNX), or the out-of-fold scores of cross-fitting.
    const pickRecords = crossfit ? fitRecords : calib;
    const pickScores = oof ?? (await scoreWithSession(session, calib));
    const { thresholds, notes } = chooseThresholds(
      labels,
      pickScores,
      labels.map((l) => truthOf(pickRecords, l)),
      // Out-of-fold scores are the trainer's (exact sigmoid); calibration scores come from onnxruntime.
      oof ? SERVED_SCORE_TOLERANCE : 0,
    );
    manifest.thresholds = thresholds;
    const baseline = KeywordBaseline.build(train, calib, labels);
    const calibration = crossfit ? evaluate(pickRecords, labels, pickScores, thresholds) : await evaluateWithBaseline(session, calib, thresholds, baseline);
    const held = heldout ? await evaluateWithBaseline(session, heldout, thresholds, baseline) : undefined;
    manifest.metrics = {
      definitions: 'P/R/F1 at score >= 0.5; takedown/review P/R at the manifest thresholds; PR-AUC = average precision',
      thresholdNotes: notes,
      [crossfit ? 'crossfitOutOfFold' : 'calibration']: summarizeReport(calibration),
      ...(held ? { heldout: summarizeReport(held) } : {}),
    };
    const dataSummary = [describeSplit('train', train), describeSplit('calibration', calib), ...(heldout ? [describeSplit('held-out', heldout)] : [])].join('\n');
    const card = renderModelCard({ manifest, calibration, calibrationName: crossfit ? 'out-of-fold scores of train + calibration (cross-fitting)' : 'calibration split', ...(held ? { heldout: held } : {}), dataSummary, thresholdNotes: notes });
    await writeModelFolder(o.outDir, onnx, manifest, card);
    return { manifest, model, calibration, ...(held ? { heldout: held } : {}) };
  } finally {
    await session.close();
  }
}
