/**
 * Binary metrics for one label: counts at a threshold, average precision (PR-AUC) and the two
 * operating points the manifest records. A text is flagged when score >= threshold.
 */

export interface Counts {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

export interface PointMetrics extends Counts {
  threshold: number;
  precision: number;
  recall: number;
  f1: number;
}

export function countsAt(scores: ArrayLike<number>, truth: ArrayLike<number>, threshold: number): Counts {
  const c: Counts = { tp: 0, fp: 0, fn: 0, tn: 0 };
  for (let i = 0; i < scores.length; i++) {
    const flagged = (scores[i] as number) >= threshold;
    if (truth[i]) {
      if (flagged) c.tp++;
      else c.fn++;
    } else if (flagged) c.fp++;
    else c.tn++;
  }
  return c;
}

/** Precision of an empty flag set is 1 (nothing wrongly flagged); recall with no positives is 1. */
export function pointMetrics(scores: ArrayLike<number>, truth: ArrayLike<number>, threshold: number): PointMetrics {
  const c = countsAt(scores, truth, threshold);
  const precision = c.tp + c.fp ? c.tp / (c.tp + c.fp) : 1;
  const recall = c.tp + c.fn ? c.tp / (c.tp + c.fn) : 1;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { ...c, threshold, precision, recall, f1 };
}

/** One step of the precision-recall curve: everything scoring >= score is flagged. */
interface CurvePoint {
  score: number;
  tp: number;
  fp: number;
}

/** The PR curve at every distinct score, highest score first (ties enter together). */
export function prCurve(scores: ArrayLike<number>, truth: ArrayLike<number>): { points: CurvePoint[]; positives: number } {
  const idx = Array.from({ length: scores.length }, (_, i) => i);
  idx.sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b);
  const points: CurvePoint[] = [];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < idx.length; i++) {
    const j = idx[i] as number;
    if (truth[j]) tp++;
    else fp++;
    const s = scores[j] as number;
    const next = idx[i + 1];
    if (next === undefined || (scores[next] as number) !== s) points.push({ score: s, tp, fp });
  }
  return { points, positives: tp };
}

/** Average precision: Σ (R_n − R_{n−1}) · P_n over the curve, the step-wise PR-AUC (as scikit-learn). */
export function averagePrecision(scores: ArrayLike<number>, truth: ArrayLike<number>): number {
  const { points, positives } = prCurve(scores, truth);
  if (!positives) return 0;
  let ap = 0;
  let prevRecall = 0;
  for (const p of points) {
    const recall = p.tp / positives;
    ap += (recall - prevRecall) * (p.tp / (p.tp + p.fp));
    prevRecall = recall;
  }
  return ap;
}

/**
 * `takedown`: the lowest score t such that precision over {score >= t} is at least
 * `minPrecision`, requiring `minSupport` true positives so one lucky item cannot set it.
 * Null when no threshold reaches the precision.
 */
export function pickPrecisionThreshold(scores: ArrayLike<number>, truth: ArrayLike<number>, minPrecision: number, minSupport = 1): number | null {
  const { points } = prCurve(scores, truth);
  let best: number | null = null;
  for (const p of points) if (p.tp >= minSupport && p.tp / (p.tp + p.fp) >= minPrecision) best = p.score;
  return best;
}

/** `review`: the highest score t such that recall over {score >= t} is at least `minRecall`. */
export function pickRecallThreshold(scores: ArrayLike<number>, truth: ArrayLike<number>, minRecall: number): number | null {
  const { points, positives } = prCurve(scores, truth);
  if (!positives) return null;
  for (const p of points) if (p.tp / positives >= minRecall) return p.score;
  return null;
}

/**
 * The score where F1 peaks: a threshold halfway between the last score kept and the next one
 * down, so it does not sit on a scored text. Null without positives.
 */
export function pickF1Threshold(scores: ArrayLike<number>, truth: ArrayLike<number>): number | null {
  const { points, positives } = prCurve(scores, truth);
  if (!positives) return null;
  let best = -1;
  let at = -1;
  points.forEach((p, i) => {
    const f1 = (2 * p.tp) / (p.tp + p.fp + positives);
    if (f1 > best) {
      best = f1;
      at = i;
    }
  });
  const kept = points[at] as CurvePoint;
  const next = points[at + 1];
  return next ? (kept.score + next.score) / 2 : kept.score;
}

export function mean(values: readonly number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
}
