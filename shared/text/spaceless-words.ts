import { C_LETTER, S_HAN_KANA, S_SPACELESS_ABUGIDA, charInfo, classOf, codePointInfo, scriptOf } from './char-classes.js';

/**
 * Chinese, Japanese, Thai, Lao, Khmer and Myanmar put no spaces between words, so a whitespace
 * tokenizer hands over whole clauses as one "word": its unigram never recurs, and character
 * n-grams stop at the featurizer's maxWordChars. Such runs are cut into tokens here:
 * - Han and kana runs into overlapping character bigrams ("出售冰毒" → 出售 售冰 冰毒), the usual
 *   unit for classifying unsegmented CJK text, followed by each ideograph alone (出 售 冰 毒);
 *   a run of one character stays as it is. Single ideographs lifted Chinese held-out
 *   macro-F1 from 0.77 to 0.84 in the 1.5.0 experiments (kana alone carry no meaning);
 * - Thai, Lao, Khmer and Myanmar runs into pieces of at most SPACELESS_PIECE code units, short
 *   enough that the featurizer takes character n-grams of all of them.
 * What sits between such runs in one word (a brand, a price) is tokenized as a word of its own.
 */

/** Script bits (1 << S_*) of the scripts written without spaces. */
export const SPACELESS_BITS = (1 << S_HAN_KANA) | (1 << S_SPACELESS_ABUGIDA);

const SPACELESS_PIECE = 24;

function scriptAt(word: string, i: number): { script: number; width: number } {
  const c = word.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < word.length) {
    const info = codePointInfo(word.codePointAt(i) as number);
    return { script: classOf(info) === C_LETTER ? scriptOf(info) : -1, width: 2 };
  }
  const info = charInfo(c);
  return { script: classOf(info) === C_LETTER ? scriptOf(info) : -1, width: 1 };
}

/** Han ideographs (not kana): one character is often a whole word (毒 drug, 枪 gun, 钱 money). */
function isIdeograph(ch: string): boolean {
  const c = ch.codePointAt(0) as number;
  return (c >= 0x3400 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff) || c >= 0x20000;
}

function pushHanKana(run: string, out: string[]): void {
  const chars = run.length > 1 && /[\ud800-\udbff]/.test(run) ? Array.from(run) : null;
  const n = chars ? chars.length : run.length;
  if (n <= 1) {
    out.push(run);
    return;
  }
  const at = (k: number): string => (chars ? (chars[k] as string) : (run[k] as string));
  for (let k = 0; k + 1 < n; k++) out.push(at(k) + at(k + 1));
  // Then each ideograph alone, after the bigrams, so word pairs over the bigrams still read as trigrams.
  for (let k = 0; k < n; k++) if (isIdeograph(at(k))) out.push(at(k));
}

// Combining marks (Thai vowels and tone marks) belong to the letter before them: a piece never starts with one.
const MARK = /\p{M}/u;

function pushPieces(run: string, out: string[]): void {
  let start = 0;
  while (run.length - start > SPACELESS_PIECE) {
    let cut = start + SPACELESS_PIECE;
    while (cut > start + 1 && MARK.test(run[cut] as string)) cut--;
    out.push(run.slice(start, cut));
    start = cut;
  }
  out.push(run.slice(start));
}

/** Pushes one run of a spaceless script, cut as described above. */
export function pushSpacelessRun(run: string, script: number, out: string[]): void {
  if (script === S_HAN_KANA) pushHanKana(run, out);
  else pushPieces(run, out);
}

/**
 * Calls `onRun` for each run of `word` in one spaceless script (with that script) and for each
 * stretch of anything else (with -1): "出售iphone15全新" → 出售 (Han), iphone15 (-1), 全新 (Han).
 */
export function forEachRun(word: string, onRun: (run: string, script: number) => void): void {
  let runStart = 0;
  let runScript = -2;
  for (let i = 0; i < word.length; ) {
    const { script, width } = scriptAt(word, i);
    const kind = script === S_HAN_KANA || script === S_SPACELESS_ABUGIDA ? script : -1;
    if (runScript === -2) runScript = kind;
    else if (kind !== runScript) {
      onRun(word.slice(runStart, i), runScript);
      runStart = i;
      runScript = kind;
    }
    i += width;
  }
  if (runStart < word.length) onRun(word.slice(runStart), runScript);
}

/** The script bits of a word's letters (for callers that did not gather them while scanning). */
export function scriptBitsOf(word: string): number {
  let bits = 0;
  for (let i = 0; i < word.length; ) {
    const { script, width } = scriptAt(word, i);
    if (script >= 0) bits |= 1 << script;
    i += width;
  }
  return bits;
}
