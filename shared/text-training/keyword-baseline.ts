import { tokenize } from '../text/normalize-text.js';
import type { TextRecord } from './dataset.js';
import { pointMetrics } from './metrics.js';

/**
 * The baseline the model has to beat: per label, the most discriminative normalised words of the
 * training data (smoothed log-odds of appearing in a positive vs a negative text). A text is
 * flagged for a label when it contains any of that label's keywords; its score is the summed
 * log-odds of the keywords it contains. The list length per label is chosen on the calibration
 * split (best F1), never on held-out. Same tokenizer as the model, so folding helps both alike.
 */

export interface KeywordList {
  label: string;
  keywords: { word: string; weight: number }[];
}

const SIZES = [5, 10, 20, 40, 80, 160, 320];
const MIN_POSITIVE_DF = 3;

function docWords(text: string): Set<string> {
  const words = new Set<string>();
  for (const t of tokenize(text)) if (t.length >= 2 && t.charCodeAt(0) !== 60) words.add(t);
  return words;
}

function rankWords(docs: readonly Set<string>[], truth: readonly boolean[]): { word: string; weight: number }[] {
  const pos = new Map<string, number>();
  const neg = new Map<string, number>();
  let P = 0;
  let N = 0;
  docs.forEach((words, i) => {
    const m = truth[i] ? pos : neg;
    if (truth[i]) P++;
    else N++;
    for (const w of words) m.set(w, (m.get(w) ?? 0) + 1);
  });
  const ranked: { word: string; weight: number }[] = [];
  for (const [word, p] of pos) {
    if (p < MIN_POSITIVE_DF) continue;
    const n = neg.get(word) ?? 0;
    const weight = Math.log((p + 0.5) / (P + 1)) - Math.log((n + 0.5) / (N + 1));
    if (weight > 0) ranked.push({ word, weight });
  }
  ranked.sort((a, b) => b.weight - a.weight || (a.word < b.word ? -1 : 1));
  return ranked;
}

export class KeywordBaseline {
  constructor(readonly lists: readonly KeywordList[]) {}

  /** Builds lists from `train` and picks each list's length by F1 on `calibration`. */
  static build(train: readonly TextRecord[], calibration: readonly TextRecord[], labels: readonly string[]): KeywordBaseline {
    const trainDocs = train.map((r) => docWords(r.text));
    const calDocs = calibration.map((r) => docWords(r.text));
    const lists = labels.map((label) => {
      const ranked = rankWords(
        trainDocs,
        train.map((r) => r.labels.includes(label as never)),
      );
      const calTruth = calibration.map((r) => (r.labels.includes(label as never) ? 1 : 0));
      let best = { size: SIZES[0] as number, f1: -1 };
      for (const size of SIZES) {
        const list = { label, keywords: ranked.slice(0, size) };
        const scores = calDocs.map((d) => scoreDoc(d, list));
        const f1 = pointMetrics(scores, calTruth, Number.MIN_VALUE).f1;
        if (f1 > best.f1) best = { size, f1 };
      }
      return { label, keywords: ranked.slice(0, best.size) };
    });
    return new KeywordBaseline(lists);
  }

  /** Scores per label for each text: summed weights of matched keywords (0 = no match). */
  score(texts: readonly string[]): Float64Array[] {
    const docs = texts.map(docWords);
    return this.lists.map((list) => Float64Array.from(docs, (d) => scoreDoc(d, list)));
  }
}

function scoreDoc(words: Set<string>, list: KeywordList): number {
  let s = 0;
  for (const k of list.keywords) if (words.has(k.word)) s += k.weight;
  return s;
}

/** The baseline flags a text when any keyword matches: score > 0. */
export const KEYWORD_FLAG_THRESHOLD = Number.MIN_VALUE;
