import type { TextRecord } from './dataset.js';
import { KEYWORD_FLAG_THRESHOLD } from './keyword-baseline.js';
import { averagePrecision, mean, pointMetrics, type PointMetrics } from './metrics.js';

/**
 * The evaluation report. Definitions (also in the model card):
 * - P/R/F1 are at score >= 0.5, the decision point of a sigmoid trained with cross-entropy,
 *   which the trainer (in crossfit mode) places where each label's F1 peaks on out-of-fold
 *   scores (decisionShift); macro-F1 averages F1 over the labels.
 * - PR-AUC is average precision over all scores.
 * - takedown / review: P and R at the manifest's thresholds (chosen on the calibration split).
 * - confusion with benign: texts flagged at 0.5 for the label that are benign (no label) vs.
 *   that carry only other labels; and positives missed.
 */

export interface LabelReport {
  label: string;
  positives: number;
  atHalf: PointMetrics;
  prAuc: number;
  takedown: PointMetrics | null;
  review: PointMetrics | null;
  fpBenign: number;
  fpOtherLabels: number;
}

export interface BaselineLabelReport {
  label: string;
  keywords: number;
  flagged: PointMetrics;
  prAuc: number;
}

export interface EvalReport {
  records: number;
  benign: number;
  labels: LabelReport[];
  macroF1: number;
  macroPrAuc: number;
  perLang: { lang: string; records: number; macroF1: number }[];
  baseline?: { labels: BaselineLabelReport[]; macroF1: number; macroPrAuc: number };
}

export type Thresholds = Record<string, { review: number; takedown: number }>;

/** 1 where the record carries the label, per record. */
export function truthOf(records: readonly TextRecord[], label: string): Uint8Array {
  return Uint8Array.from(records, (r) => (r.labels.includes(label as never) ? 1 : 0));
}

/** scores[k][i]: label k's score for record i. */
export function evaluate(records: readonly TextRecord[], labels: readonly string[], scores: readonly ArrayLike<number>[], thresholds: Thresholds): EvalReport {
  const labelReports = labels.map((label, k): LabelReport => {
    const s = scores[k] as ArrayLike<number>;
    const truth = truthOf(records, label);
    const atHalf = pointMetrics(s, truth, 0.5);
    let fpBenign = 0;
    let fpOtherLabels = 0;
    records.forEach((r, i) => {
      if (truth[i] || (s[i] as number) < 0.5) return;
      if (r.labels.length === 0) fpBenign++;
      else fpOtherLabels++;
    });
    const t = thresholds[label];
    return {
      label,
      positives: atHalf.tp + atHalf.fn,
      atHalf,
      prAuc: averagePrecision(s, truth),
      takedown: t ? pointMetrics(s, truth, t.takedown) : null,
      review: t ? pointMetrics(s, truth, t.review) : null,
      fpBenign,
      fpOtherLabels,
    };
  });
  const langs = [...new Set(records.map((r) => r.lang))].sort();
  const perLang = langs.map((lang) => {
    const idx = records.flatMap((r, i) => (r.lang === lang ? [i] : []));
    const f1s: number[] = [];
    labels.forEach((label, k) => {
      const truth = idx.map((i) => (records[i]?.labels.includes(label as never) ? 1 : 0));
      if (!truth.some(Boolean)) return;
      const s = idx.map((i) => (scores[k] as ArrayLike<number>)[i] as number);
      f1s.push(pointMetrics(s, truth, 0.5).f1);
    });
    return { lang, records: idx.length, macroF1: mean(f1s) };
  });
  return {
    records: records.length,
    benign: records.filter((r) => r.labels.length === 0).length,
    labels: labelReports,
    macroF1: mean(labelReports.map((l) => l.atHalf.f1)),
    macroPrAuc: mean(labelReports.map((l) => l.prAuc)),
    perLang,
  };
}

export function evaluateBaseline(records: readonly TextRecord[], labels: readonly string[], scores: readonly ArrayLike<number>[], listSizes: readonly number[]): NonNullable<EvalReport['baseline']> {
  const rows = labels.map((label, k): BaselineLabelReport => {
    const s = scores[k] as ArrayLike<number>;
    const truth = truthOf(records, label);
    return { label, keywords: listSizes[k] ?? 0, flagged: pointMetrics(s, truth, KEYWORD_FLAG_THRESHOLD), prAuc: averagePrecision(s, truth) };
  });
  return { labels: rows, macroF1: mean(rows.map((r) => r.flagged.f1)), macroPrAuc: mean(rows.map((r) => r.prAuc)) };
}

const f = (x: number) => x.toFixed(3);
const thr = (p: PointMetrics | null) => (p ? `${f(p.threshold)} ${f(p.precision)} ${f(p.recall)}` : '  -     -     -  ');

/** The printed report; its last line is `macro-F1 <value>` for the model. */
export function formatReport(report: EvalReport): string {
  const lines: string[] = [];
  lines.push(`records ${report.records} (benign ${report.benign})`, '');
  lines.push('model (P/R/F1 at score >= 0.5; takedown and review columns: threshold, precision, recall)');
  lines.push(`${'label'.padEnd(16)} ${'pos'.padStart(5)}  P@.5  R@.5  F1@.5 PR-AUC | takedown  P     R   | review    P     R   | FP benign FP other   FN`);
  for (const l of report.labels) {
    lines.push(
      `${l.label.padEnd(16)} ${String(l.positives).padStart(5)} ${f(l.atHalf.precision)} ${f(l.atHalf.recall)} ${f(l.atHalf.f1)} ${f(l.prAuc)} | ${thr(l.takedown)} | ${thr(l.review)} | ${String(l.fpBenign).padStart(9)} ${String(l.fpOtherLabels).padStart(8)} ${String(l.atHalf.fn).padStart(4)}`,
    );
  }
  lines.push(`model macro-F1 ${f(report.macroF1)}  macro PR-AUC ${f(report.macroPrAuc)}`);
  lines.push('', 'per language (model macro-F1 over labels present)');
  lines.push(report.perLang.map((p) => `${p.lang} ${f(p.macroF1)} (${p.records})`).join('  '));
  if (report.baseline) {
    lines.push('', 'keyword baseline (flagged = any keyword of the label; lists from train, sizes picked on calibration)');
    lines.push(`${'label'.padEnd(16)} ${'words'.padStart(5)}     P     R    F1 PR-AUC`);
    for (const b of report.baseline.labels) {
      lines.push(`${b.label.padEnd(16)} ${String(b.keywords).padStart(5)} ${f(b.flagged.precision)} ${f(b.flagged.recall)} ${f(b.flagged.f1)} ${f(b.prAuc)}`);
    }
    lines.push(`baseline macro-F1 ${f(report.baseline.macroF1)}  macro PR-AUC ${f(report.baseline.macroPrAuc)}`);
    lines.push(`model minus baseline macro-F1 ${(report.macroF1 - report.baseline.macroF1 >= 0 ? '+' : '') + f(report.macroF1 - report.baseline.macroF1)}`);
  }
  lines.push('', `macro-F1 ${report.macroF1.toFixed(4)}`);
  return lines.join('\n');
}
