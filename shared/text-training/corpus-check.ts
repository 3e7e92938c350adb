import { normalizeText } from '../text/normalize-text.js';
import type { BadLine, TextRecord } from './dataset.js';
import { jaccard, shingles } from './near-duplicates.js';

/**
 * Vets candidate corpus lines before they are appended: a line that repeats the corpus (after the
 * featurizer's normalisation, so "c0ke" = "coke") or is a templated variant of a line already there
 * adds nothing to training and, split apart, would leak a training text into held-out.
 */

export interface CorpusCheckOptions {
  /** Character 5-gram Jaccard at which a candidate counts as a variant of another line. */
  nearDuplicate: number;
  /** Every candidate must carry this language, when set. */
  lang?: string;
}

export const DEFAULT_CORPUS_CHECK: CorpusCheckOptions = { nearDuplicate: 0.5 };

export interface Rejection extends BadLine {
  /** The line it repeats, when it repeats one. */
  similarTo?: string;
}

export interface CorpusCheckResult {
  accepted: TextRecord[];
  rejected: Rejection[];
}

interface Known {
  norm: string;
  sh: Int32Array;
  text: string;
}

/**
 * `candidates` keep their 1-based line numbers so every rejection points at the line to rewrite;
 * an accepted candidate joins the known lines, so two variants of each other in one batch are caught.
 */
export function checkCorpusLines(
  corpus: readonly TextRecord[],
  candidates: readonly { record: TextRecord; line: number }[],
  file: string,
  o: CorpusCheckOptions = DEFAULT_CORPUS_CHECK,
): CorpusCheckResult {
  const exact = new Map<string, string>();
  const byLang = new Map<string, Known[]>();
  const remember = (r: TextRecord, norm: string, sh: Int32Array) => {
    exact.set(norm, r.text);
    const list = byLang.get(r.lang) ?? [];
    list.push({ norm, sh, text: r.text });
    byLang.set(r.lang, list);
  };
  for (const r of corpus) {
    const norm = normalizeText(r.text);
    remember(r, norm, shingles(norm));
  }

  const accepted: TextRecord[] = [];
  const rejected: Rejection[] = [];
  for (const { record, line } of candidates) {
    if (o.lang !== undefined && record.lang !== o.lang) {
      rejected.push({ file, line, message: `lang is '${record.lang}', expected '${o.lang}'` });
      continue;
    }
    const norm = normalizeText(record.text);
    if (!norm.trim()) {
      rejected.push({ file, line, message: 'nothing left after normalisation' });
      continue;
    }
    const same = exact.get(norm);
    if (same !== undefined) {
      rejected.push({ file, line, message: 'repeats a line already in the corpus', similarTo: same });
      continue;
    }
    const sh = shingles(norm);
    let closest: Known | undefined;
    let best = 0;
    for (const k of byLang.get(record.lang) ?? []) {
      const j = jaccard(sh, k.sh);
      if (j > best) {
        best = j;
        closest = k;
      }
    }
    if (closest && best >= o.nearDuplicate) {
      rejected.push({ file, line, message: `variant of a line already in the corpus (similarity ${best.toFixed(2)})`, similarTo: closest.text });
      continue;
    }
    accepted.push(record);
    remember(record, norm, sh);
  }
  return { accepted, rejected };
}
