/**
 * Character classes for the tokenizer, looked up per UTF-16 code unit in a table that fills
 * lazily: a Unicode-property regex runs once per distinct character ever seen, never per
 * character of every text.
 */

export const C_SPACE = 1;
/**
 * Letters of any script (\p{L}), and the marks cleanText keeps (vowel signs of Indic and Thai
 * script, which are part of the word); the script sits in the high bits (see scriptOf).
 */
export const C_LETTER = 2;
/** ASCII 0-9 only; other scripts' digits are remapped to ASCII before tokenizing. */
export const C_DIGIT = 3;
/** Emoji, currency and other symbols: each becomes a token of its own (❄️, 💊, ₽ carry meaning). */
export const C_SYMBOL = 4;
/** Punctuation and everything else: separates words. */
export const C_PUNCT = 5;

export const S_OTHER = 0;
export const S_LATIN = 1;
export const S_CYRILLIC = 2;
export const S_GREEK = 3;
/** Han, Hiragana and Katakana: written without spaces between words. */
export const S_HAN_KANA = 4;
/** Thai, Lao, Khmer and Myanmar: also written without spaces between words. */
export const S_SPACELESS_ABUGIDA = 5;

const CLASS_MASK = 0x0f;

const table = new Uint8Array(65536);
const astral = new Map<number, number>();

const reSpace = /[\s\p{Cc}\p{Zs}\p{Zl}\p{Zp}\u2800]/u;
const reLetter = /[\p{L}\p{M}]/u;
const reSymbol = /[\p{So}\p{Sc}\p{Sk}]/u;
const reLatin = /\p{Script=Latin}/u;
const reCyrillic = /\p{Script=Cyrillic}/u;
const reGreek = /\p{Script=Greek}/u;
// The Katakana-Hiragana prolonged sound mark (ー) belongs to no script but is part of kana words.
const reHanKana = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30fc]/u;
const reSpacelessAbugida = /[\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;

function letterScript(ch: string): number {
  if (reLatin.test(ch)) return S_LATIN;
  if (reCyrillic.test(ch)) return S_CYRILLIC;
  if (reGreek.test(ch)) return S_GREEK;
  if (reHanKana.test(ch)) return S_HAN_KANA;
  if (reSpacelessAbugida.test(ch)) return S_SPACELESS_ABUGIDA;
  return S_OTHER;
}

function classify(ch: string, code: number): number {
  if (code >= 48 && code <= 57) return C_DIGIT;
  if (reSpace.test(ch)) return C_SPACE;
  if (reLetter.test(ch)) {
    return C_LETTER | (letterScript(ch) << 4);
  }
  if (reSymbol.test(ch)) return C_SYMBOL;
  return C_PUNCT;
}

// ASCII up front: the hot path for most English text never takes the lazy branch.
for (let c = 0; c < 128; c++) table[c] = classify(String.fromCharCode(c), c);

/** Class and script bits of one UTF-16 code unit (surrogates: see classOfCodePoint). */
export function charInfo(code: number): number {
  let v = table[code] as number;
  if (v === 0) {
    v = classify(String.fromCharCode(code), code);
    table[code] = v;
  }
  return v;
}

/** For astral code points (emoji, rare CJK): cached by code point. */
export function codePointInfo(cp: number): number {
  let v = astral.get(cp);
  if (v === undefined) {
    v = classify(String.fromCodePoint(cp), cp);
    astral.set(cp, v);
  }
  return v;
}

export function classOf(info: number): number {
  return info & CLASS_MASK;
}

export function scriptOf(info: number): number {
  return info >> 4;
}
