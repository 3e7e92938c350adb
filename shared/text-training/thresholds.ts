import type { Thresholds } from './evaluation.js';
import { pickPrecisionThreshold, pickRecallThreshold } from './metrics.js';

/** The policy's operating points (issue 3): automatic takedown needs precision >= 0.97 ... */
export const TAKEDOWN_MIN_PRECISION = 0.97;
/**
 * ... so the threshold is picked where precision reaches 0.99 on the threshold-picking scores.
 * Picking the lowest score that just reaches 0.97 sits on the edge of a noisy curve: in a
 * simulation on training data only (out-of-fold scores, pick on 75 %, measure on the other 25 %,
 * 40 random cuts × 6 labels) that rule kept >= 0.97 on unseen texts in 47 % of cases; picking at
 * 0.99 did in 76 %, at the cost of takedown recall (0.41 → 0.32; the rest goes to review).
 */
export const TAKEDOWN_PICK_PRECISION = 0.99;
/** ... and review catches at least 90 % of a label's positives. */
export const REVIEW_MIN_RECALL = 0.9;
/** A takedown threshold must rest on at least this many true positives of the calibration split. */
export const TAKEDOWN_MIN_SUPPORT = 5;
/** Written as the takedown threshold when no score reaches the precision: the signal treats 1 as "never". */
export const TAKEDOWN_DISABLED = 1;

export interface ThresholdChoice {
  thresholds: Thresholds;
  notes: Record<string, string>;
}

/**
 * Picks per-label thresholds from calibration or out-of-fold scores (never the held-out split):
 * takedown = the lowest score t with precision(score >= t) >= 0.99 over at least 5 true positives
 * (a margin for the 0.97 target, see TAKEDOWN_PICK_PRECISION);
 * review = the highest score t with recall(score >= t) >= 0.9, capped at takedown.
 */
/**
 * onnxruntime's sigmoid is a fast approximation, up to 1.2e-7 (one or two float32 steps) from the
 * exact one the trainer computes; thresholds picked on the trainer's scores are written this much
 * lower so a served score equal to the picked one still passes.
 */
export const SERVED_SCORE_TOLERANCE = 2.5e-7;

export function chooseThresholds(labels: readonly string[], scores: readonly ArrayLike<number>[], truth: readonly Uint8Array[], scoreTolerance = 0): ThresholdChoice {
  const thresholds: Thresholds = {};
  const notes: Record<string, string> = {};
  labels.forEach((label, k) => {
    const s = scores[k] as ArrayLike<number>;
    const y = truth[k] as Uint8Array;
    const review = pickRecallThreshold(s, y, REVIEW_MIN_RECALL);
    if (review === null) {
      notes[label] = 'no positives in the calibration split: scored, never acted on';
      return;
    }
    const takedown = pickPrecisionThreshold(s, y, TAKEDOWN_PICK_PRECISION, TAKEDOWN_MIN_SUPPORT);
    if (takedown === null) notes[label] = `no threshold reaches precision ${TAKEDOWN_PICK_PRECISION} on the picking scores: review only`;
    const td = takedown === null ? TAKEDOWN_DISABLED : Math.max(0, takedown - scoreTolerance);
    thresholds[label] = { review: Math.min(Math.max(0, review - scoreTolerance), td), takedown: td };
  });
  return { thresholds, notes };
}
