import type { Thresholds } from './evaluation.js';
import { pickPrecisionThreshold, pickRecallThreshold } from './metrics.js';

/** The policy's operating points (issue 3): automatic takedown needs precision >= 0.97 ... */
export const TAKEDOWN_MIN_PRECISION = 0.97;
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
 * Picks per-label thresholds from calibration scores (never the held-out split):
 * takedown = the lowest score t with precision(score >= t) >= 0.97 over at least 5 true positives;
 * review = the highest score t with recall(score >= t) >= 0.9, capped at takedown.
 */
export function chooseThresholds(labels: readonly string[], scores: readonly ArrayLike<number>[], truth: readonly Uint8Array[]): ThresholdChoice {
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
    const takedown = pickPrecisionThreshold(s, y, TAKEDOWN_MIN_PRECISION, TAKEDOWN_MIN_SUPPORT);
    if (takedown === null) notes[label] = `no threshold reaches precision ${TAKEDOWN_MIN_PRECISION} on calibration: review only`;
    const td = takedown ?? TAKEDOWN_DISABLED;
    thresholds[label] = { review: Math.min(review, td), takedown: td };
  });
  return { thresholds, notes };
}
