import type { TextModelSession } from '../text/text-model-session.js';
import type { TextRecord } from './dataset.js';
import { evaluate, evaluateBaseline, type EvalReport, type Thresholds } from './evaluation.js';
import type { KeywordBaseline } from './keyword-baseline.js';

/** Scores records through the exported ONNX, as serving does; result[k][i] = label k, record i. */
export async function scoreWithSession(session: TextModelSession, records: readonly TextRecord[], batchSize = 256): Promise<Float32Array[]> {
  const K = session.labels.length;
  const out = session.labels.map(() => new Float32Array(records.length));
  for (let start = 0; start < records.length; start += batchSize) {
    const batch = records.slice(start, start + batchSize);
    const scores = await session.scoreBatch(batch.map((r) => r.text));
    for (let r = 0; r < batch.length; r++) for (let k = 0; k < K; k++) (out[k] as Float32Array)[start + r] = scores[r * K + k] as number;
  }
  return out;
}

/** Model and keyword baseline on the same records, in one report. */
export async function evaluateWithBaseline(
  session: TextModelSession,
  records: readonly TextRecord[],
  thresholds: Thresholds,
  baseline: KeywordBaseline,
): Promise<EvalReport> {
  const labels = session.labels;
  const report = evaluate(records, labels, await scoreWithSession(session, records), thresholds);
  const baseScores = baseline.score(records.map((r) => r.text));
  report.baseline = evaluateBaseline(
    records,
    labels,
    baseScores,
    baseline.lists.map((l) => l.keywords.length),
  );
  return report;
}

/** The compact form stored in manifest.json. */
export function summarizeReport(r: EvalReport): Record<string, unknown> {
  const round = (x: number) => Math.round(x * 10_000) / 10_000;
  return {
    records: r.records,
    macroF1: round(r.macroF1),
    macroPrAuc: round(r.macroPrAuc),
    baselineMacroF1: r.baseline ? round(r.baseline.macroF1) : null,
    labels: Object.fromEntries(
      r.labels.map((l) => [
        l.label,
        {
          positives: l.positives,
          precision: round(l.atHalf.precision),
          recall: round(l.atHalf.recall),
          f1: round(l.atHalf.f1),
          prAuc: round(l.prAuc),
          takedownPrecision: l.takedown ? round(l.takedown.precision) : null,
          takedownRecall: l.takedown ? round(l.takedown.recall) : null,
          reviewPrecision: l.review ? round(l.review.precision) : null,
          reviewRecall: l.review ? round(l.review.recall) : null,
        },
      ]),
    ),
    perLang: Object.fromEntries(r.perLang.map((p) => [p.lang, round(p.macroF1)])),
  };
}
