import { normalizeText } from '../text/normalize-text.js';
import { fnv1a } from '../text/feature-hash.js';
import type { TextRecord } from './dataset.js';
import { LinearTextModel, SCORE_TEMPERATURE, trainFastText, type TrainingSample } from './fasttext-trainer.js';
import { nearDuplicateClusters } from './near-duplicates.js';

export interface EnsembleOptions {
  dim: number;
  epochs: number;
  lr: number;
  seed: number;
  positiveWeight: number;
  featureDropout: number;
  lengthPrior: number;
  /** Members trained with seeds seed, seed+1, ...; their logits are averaged. */
  ensemble: number;
}

/** Trains the members and averages them (and applies the score temperature) into the one model that is exported. */
export function trainEnsemble(samples: readonly TrainingSample[], labelCount: number, buckets: number, o: EnsembleOptions, log: (line: string) => void = () => {}): LinearTextModel {
  const members: LinearTextModel[] = [];
  for (let m = 0; m < o.ensemble; m++) {
    const trained = trainFastText(samples, labelCount, buckets, {
      dim: o.dim,
      epochs: o.epochs,
      lr: o.lr,
      seed: o.seed + m,
      positiveWeight: o.positiveWeight,
      featureDropout: o.featureDropout,
      lengthPrior: o.lengthPrior,
      onEpoch: (e, loss) => {
        if (e === o.epochs) log(`  member ${m + 1}/${o.ensemble}: ${e} epochs, loss ${loss.toFixed(5)}`);
      },
    });
    members.push(trained.toLinear());
  }
  // Exported scores are sigmoid(logit × SCORE_TEMPERATURE): applied here, so out-of-fold scores
  // and the exported model agree.
  return LinearTextModel.average(members).scaled(SCORE_TEMPERATURE);
}

/**
 * Folds for cross-fitting: near-duplicate clusters (the split's rule) stay in one fold, so an
 * out-of-fold score never comes from a model that saw a paraphrase of the text.
 */
export function crossFitFolds(records: readonly TextRecord[], folds: number, nearDuplicateThreshold: number): Int32Array {
  const norm = records.map((r) => normalizeText(r.text));
  const clusters = nearDuplicateClusters(norm, nearDuplicateThreshold);
  return Int32Array.from(clusters, (root) => (fnv1a(norm[root] as string, 0x2545f491) >>> 0) % folds);
}

/**
 * Cross-fitting: model k is the exported model's recipe trained on every fold but k, so it can
 * score fold k's texts as unseen (see outOfFoldScores).
 */
export function crossFitModels(samples: readonly TrainingSample[], fold: Int32Array, folds: number, labelCount: number, buckets: number, o: EnsembleOptions, log: (line: string) => void = () => {}): LinearTextModel[] {
  const models: LinearTextModel[] = [];
  for (let k = 0; k < folds; k++) {
    const rest = samples.filter((_, i) => fold[i] !== k);
    log(`fold ${k + 1}/${folds}: train ${rest.length}, score ${samples.length - rest.length}`);
    models.push(trainEnsemble(rest, labelCount, buckets, o, log));
  }
  return models;
}

/**
 * Out-of-fold scores: each text scored by the cross-fit model that did not train on its fold.
 * result[k][i] is label k's score for record i. The models are the exported model's recipe on
 * 1 − 1/folds of the data, so thresholds picked on these scores carry over to the final model.
 */
export function outOfFoldScores(samples: readonly TrainingSample[], fold: Int32Array, models: readonly LinearTextModel[], labelCount: number): Float64Array[] {
  const scores = Array.from({ length: labelCount }, () => new Float64Array(samples.length));
  samples.forEach((sample, i) => {
    const s = (models[fold[i] as number] as LinearTextModel).score(sample.features);
    for (let j = 0; j < labelCount; j++) (scores[j] as Float64Array)[i] = s[j] as number;
  });
  return scores;
}
