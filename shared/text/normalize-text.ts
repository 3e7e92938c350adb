import { C_DIGIT, C_LETTER, C_PUNCT, C_SPACE, C_SYMBOL, S_CYRILLIC, S_GREEK, S_LATIN, charInfo, classOf, codePointInfo, scriptOf } from './char-classes.js';
import { cleanText, clipText } from './clean-text.js';
import { SPACELESS_BITS, forEachRun, pushSpacelessRun, scriptBitsOf } from './spaceless-words.js';
import { urlTokens } from './url-tokens.js';
import { AMBIGUOUS, foldWord, scriptFromCounts } from './word-folding.js';

/**
 * Text → tokens, the first half of the featurizer shared by training and serving. Every evasion
 * folded here is one the model no longer has to learn per variant: full-width and styled letters,
 * zero-width and control characters, mixed-script homoglyphs, leet, s p a c e d and d.o.t.t.e.d
 * letters, stretched letters. URLs, handles and numbers become marker tokens that keep their shape.
 */

export const NUM_TOKEN = '<num>';
export const LONGNUM_TOKEN = '<longnum>';
export const PHONE_TOKEN = '<phone>';

/** Membership of a few code units as a table: these are asked about for every character. */
function codeTable(codes: readonly number[]): { has(code: number): boolean } {
  const table = new Uint8Array(65536);
  for (const c of codes) table[c] = 1;
  return { has: (code) => table[code] === 1 };
}

const LEET_SYMBOLS = codeTable([64, 36, 33]); // @ $ !
const SPACED_SEPARATORS = codeTable([46, 45, 95, 42, 183, 8226, 124, 47, 92, 44]); // . - _ * · • | / \ ,
const APOSTROPHES = codeTable([39, 96, 8217, 700, 8216]);
const NUMBER_INNER = codeTable([46, 44]); // 1,000.50 stays one number

function isWordUnit(code: number): boolean {
  const cls = classOf(charInfo(code));
  return cls === C_LETTER || cls === C_DIGIT || LEET_SYMBOLS.has(code);
}

/** "b" "c." "0": one letter (or leet character), optionally followed by one separator. */
function isSpacedUnit(chunk: string): boolean {
  if (chunk.length === 1) return isWordUnit(chunk.charCodeAt(0));
  return chunk.length === 2 && isWordUnit(chunk.charCodeAt(0)) && SPACED_SEPARATORS.has(chunk.charCodeAt(1));
}

/** Joins "c.o.k.e" / "к-о-к-с" inside one chunk; returns null when the chunk is not that shape. */
function joinDotted(chunk: string): string | null {
  if (chunk.length < 5 || !SPACED_SEPARATORS.has(chunk.charCodeAt(1))) return null;
  let units = '';
  let expectUnit = true;
  for (let i = 0; i < chunk.length; i++) {
    const c = chunk.charCodeAt(i);
    if (expectUnit) {
      if (!isWordUnit(c)) return null;
      units += chunk[i];
      expectUnit = false;
    } else if (SPACED_SEPARATORS.has(c)) {
      while (i + 1 < chunk.length && SPACED_SEPARATORS.has(chunk.charCodeAt(i + 1))) i++;
      expectUnit = true;
    } else {
      return null;
    }
  }
  return units.length >= 3 && countLetters(units) >= 2 ? units : null;
}

function countLetters(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (classOf(charInfo(s.charCodeAt(i))) === C_LETTER) n++;
  return n;
}

function numberToken(digits: number): string {
  if (digits <= 4) return NUM_TOKEN;
  if (digits >= 7 && digits <= 15) return PHONE_TOKEN;
  return LONGNUM_TOKEN;
}

const PHONE_CHARS = /^[+(]?\d[\d()\-.]*$/;
function digitCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

/** One run of letters/digits/leet symbols from inside a chunk. */
function emitSegment(seg: string, out: string[], knownLetters = -1, knownDigits = -1, plainScripts = -1, knownScripts = -1): void {
  let start = 0;
  let end = seg.length;
  // Leet symbols at the edges are punctuation ("wow!", "$", "@"), except a leading "$" before a
  // letter ("$ell"), which the word folding reads as "s".
  while (start < end && LEET_SYMBOLS.has(seg.charCodeAt(start)) && !(seg.charCodeAt(start) === 36 && start + 1 < end)) start++;
  while (end > start && LEET_SYMBOLS.has(seg.charCodeAt(end - 1))) {
    if (seg.charCodeAt(end - 1) === 36 && end - 1 === start) break;
    end--;
  }
  if (start >= end) return;
  const dollar = seg.charCodeAt(0) === 36 || seg.charCodeAt(seg.length - 1) === 36;
  const s = start === 0 && end === seg.length ? seg : seg.slice(start, end);
  if (s === '$') {
    out.push('$');
    return;
  }
  // Trimming removed only leet symbols, so counts from the caller's scan still hold.
  const letters = knownLetters >= 0 ? knownLetters : countLetters(s);
  const digits = knownDigits >= 0 ? knownDigits : digitCount(s);
  if (letters === 0) {
    // Decimals do not make a number longer: "1,000.50" is a four-digit amount.
    const dot = s.lastIndexOf('.');
    const cents = dot >= 0 && s.length - dot - 1 <= 2 ? digitCount(s.slice(dot)) : 0;
    if (digits > 0) out.push(numberToken(digits - cents));
    if (dollar) out.push('$');
    return;
  }
  if (((knownScripts >= 0 ? knownScripts : scriptBitsOf(s)) & SPACELESS_BITS) !== 0) {
    // Chinese, Japanese, Thai...: each spaceless run is cut into tokens, the rest read as words.
    forEachRun(s, (run, script) => (script >= 0 ? pushSpacelessRun(foldWord(run, context), script, out) : emitSegment(run, out, -1, -1, -1, 0)));
    return;
  }
  if (digits > 0) {
    // "100g", "500mg", "5гр": a quantity and its unit, not leet.
    let lead = 0;
    while (lead < s.length && classOf(charInfo(s.charCodeAt(lead))) === C_DIGIT) lead++;
    if (lead > 0 && lead + letters === s.length && (lead >= 2 || letters <= 3)) {
      out.push(NUM_TOKEN, foldWord(s.slice(lead), context));
      return;
    }
    // "covid19", "user2024": a word and a number.
    let trail = s.length;
    while (trail > 0 && classOf(charInfo(s.charCodeAt(trail - 1))) === C_DIGIT) trail--;
    if (s.length - trail >= 2) {
      out.push(foldWord(s.slice(0, trail), context), numberToken(s.length - trail));
      return;
    }
  }
  out.push(plainScripts >= 0 ? foldPlainWord(s, context, plainScripts) : foldWord(s, context));
}

const APOSTROPHE_RE = /['`\u2019\u02bc\u2018]/g;

/** Splits a chunk (no whitespace) into words, numbers and symbol tokens. */
function emitChunk(chunk: string, out: string[], urlish: boolean): void {
  if (urlish) {
    const trimmed = chunk.replace(/^[^\p{L}\p{N}@]+|[^\p{L}\p{N}/]+$/gu, '');
    if (trimmed.length > 2 && urlTokens(trimmed, out)) return;
  }
  // Segments are slices of the chunk: [segStart, i). Apostrophes inside stay in the slice and
  // are removed on flush, so "don't" is one word, "dont".
  let segStart = -1;
  let apostrophe = false;
  let letters = 0;
  let digits = 0;
  // What foldWord would look for, gathered on this pass so plain words skip it (see foldPlainWord).
  let scripts = 0;
  let leet = 0;
  let prev = -1;
  let run = 0;
  let repeats = false;
  const len = chunk.length;
  for (let i = 0; i < len; i++) {
    const c = chunk.charCodeAt(i);
    let info: number;
    let width = 1;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < len) {
      info = codePointInfo(chunk.codePointAt(i) as number);
      width = 2;
    } else {
      info = charInfo(c);
    }
    const cls = classOf(info);
    if (cls === C_LETTER || cls === C_DIGIT || LEET_SYMBOLS.has(c)) {
      if (segStart < 0) segStart = i;
      if (cls === C_LETTER) {
        letters++;
        scripts |= 1 << scriptOf(info);
      } else {
        if (cls === C_DIGIT) digits++;
        leet++;
      }
      run = c === prev ? run + 1 : 1;
      prev = c;
      if (run >= 3) repeats = true;
    } else if (segStart >= 0 && APOSTROPHES.has(c)) {
      apostrophe = true;
    } else if (segStart >= 0 && NUMBER_INNER.has(c) && classOf(charInfo(chunk.charCodeAt(i - 1))) === C_DIGIT && i + 1 < len && classOf(charInfo(chunk.charCodeAt(i + 1))) === C_DIGIT) {
      // keep "1,000.50" whole; it becomes one <num>
    } else {
      if (segStart >= 0) flushSegment(chunk, segStart, i, apostrophe, out, letters, digits, scripts, plainScripts(scripts, leet, repeats, apostrophe));
      segStart = -1;
      apostrophe = false;
      letters = 0;
      digits = 0;
      scripts = 0;
      leet = 0;
      prev = -1;
      run = 0;
      repeats = false;
      if (cls === C_SYMBOL && c !== 36) out.push(width === 1 ? (chunk[i] as string) : chunk.slice(i, i + 2));
    }
    i += width - 1;
  }
  if (segStart >= 0) flushSegment(chunk, segStart, len, apostrophe, out, letters, digits, scripts, plainScripts(scripts, leet, repeats, apostrophe));
}

function flushSegment(chunk: string, start: number, end: number, apostrophe: boolean, out: string[], letters: number, digits: number, scripts: number, plain: number): void {
  let seg = start === 0 && end === chunk.length ? chunk : chunk.slice(start, end);
  if (apostrophe) seg = seg.replace(APOSTROPHE_RE, '');
  if (seg) emitSegment(seg, out, letters, digits, plain, scripts);
}

/**
 * A segment's script bits when foldWord has nothing to undo in it (one script, no digits or
 * leet symbols, no letter three times in a row), else -1. Counted over the segment before edge
 * trimming and apostrophe removal, so "plain" is never claimed for a word foldWord would change.
 */
function plainScripts(scripts: number, leet: number, repeats: boolean, apostrophe: boolean): number {
  const s = scripts & 0b1110;
  return leet === 0 && !repeats && !apostrophe && (s & (s - 1)) === 0 ? s : -1;
}

/** foldWord for a plain word: only a Cyrillic or Greek look-alike spelling inside Latin text can still change. */
function foldPlainWord(word: string, context: number, scripts: number): string {
  if (context !== S_LATIN || (scripts !== 1 << S_CYRILLIC && scripts !== 1 << S_GREEK)) return word;
  return foldWord(word, context);
}

// The current text's script (see splitChunks); set per call of tokenize, which is synchronous.
let context = 0;

// Reused chunk boundaries: the tokenizer runs for every item.
let starts = new Int32Array(256);
let ends = new Int32Array(256);
// 1 where the chunk holds a '.' or '@' with a letter, digit or '/' after it: the only chunks the
// URL parser can accept once their outer punctuation is trimmed (noted while splitting).
let urlish = new Uint8Array(256);
// The chunk's script bits when it is one plain word between edge punctuation (see splitChunks), else -1.
let plainWord = new Int8Array(256);
// That word's bounds inside the text.
let wordStarts = new Int32Array(256);
let wordEnds = new Int32Array(256);

function doubled<A extends Int32Array | Int8Array | Uint8Array>(a: A): A {
  const b = new (a.constructor as new (length: number) => A)(a.length * 2);
  b.set(a);
  return b;
}

/**
 * Punctuation that emitChunk drops without a trace when it sits before or after a word ("word,"
 * "(word)" "«слово»."): not a symbol (those are tokens), not a leet or apostrophe character
 * (those change the word), not half of a surrogate pair (an emoji is a symbol).
 */
function isEdgePunct(code: number, cls: number): boolean {
  return cls === C_PUNCT && (code < 0xd800 || code > 0xdfff) && !LEET_SYMBOLS.has(code) && !APOSTROPHES.has(code);
}

/** Finds the whitespace-separated chunks and, on the way, the text's script (see scriptFromCounts). */
function splitChunks(t: string): number {
  let n = 0;
  let i = 0;
  const len = t.length;
  let lat = 0;
  let cyr = 0;
  let grk = 0;
  while (i < len) {
    while (i < len && classOf(charInfo(t.charCodeAt(i))) === C_SPACE) i++;
    if (i >= len) break;
    const s = i;
    let dotOrAt = 0;
    let pendingDotOrAt = false;
    // A chunk that is edge punctuation, letters with no letter three times running, edge
    // punctuation: its one token is those letters, folded at most toward Latin (see
    // plainScripts); -1 once anything else turns up. Words in spaceless scripts are cut up by
    // emitSegment, so they never take this path.
    let plain = 0;
    let wordStart = -1;
    let wordEnd = -1;
    let prev = -1;
    let run = 0;
    for (; i < len; i++) {
      const c = t.charCodeAt(i);
      const info = charInfo(c);
      const cls = classOf(info);
      if (cls === C_SPACE) break;
      if (c === 46 || c === 64) pendingDotOrAt = true;
      else if (pendingDotOrAt && (cls === C_LETTER || cls === C_DIGIT || c === 47)) dotOrAt = 1;
      if (cls === C_LETTER) {
        if (plain >= 0) {
          if (wordEnd >= 0) plain = -1;
          else {
            if (wordStart < 0) wordStart = i;
            plain |= 1 << scriptOf(info);
            run = c === prev ? run + 1 : 1;
            prev = c;
            if (run >= 3) plain = -1;
          }
        }
        if (AMBIGUOUS[c] === 0) {
          const script = scriptOf(info);
          if (script === S_LATIN) lat++;
          else if (script === S_CYRILLIC) cyr++;
          else if (script === S_GREEK) grk++;
        }
      } else if (plain >= 0) {
        if (!isEdgePunct(c, cls)) plain = -1;
        else if (wordStart >= 0 && wordEnd < 0) wordEnd = i;
      }
    }
    if (wordEnd < 0) wordEnd = i;
    if (n === starts.length) {
      starts = doubled(starts);
      ends = doubled(ends);
      urlish = doubled(urlish);
      plainWord = doubled(plainWord);
      wordStarts = doubled(wordStarts);
      wordEnds = doubled(wordEnds);
    }
    starts[n] = s;
    ends[n] = i;
    urlish[n] = dotOrAt;
    // Two letters or more: a one-letter chunk may be one of s p a c e d letters, read across
    // chunks. A URL-shaped chunk goes to the URL parser.
    const plainEnough = plain >= 0 && (plain & SPACELESS_BITS) === 0 && wordStart >= 0 && wordEnd - wordStart >= 2 && dotOrAt === 0;
    plainWord[n] = plainEnough ? plainScripts(plain, 0, false, false) : -1;
    wordStarts[n] = wordStart;
    wordEnds[n] = wordEnd;
    n++;
  }
  context = scriptFromCounts(lat, cyr, grk);
  return n;
}

/** Tokens of a text after every folding; `maxChars` bounds the work for huge inputs. */
export function tokenize(text: string, maxChars = 4000): string[] {
  const t = cleanText(clipText(text, maxChars));
  const n = splitChunks(t);
  const out: string[] = [];
  let k = 0;
  while (k < n) {
    const plain = plainWord[k] as number;
    if (plain >= 0) {
      // What emitChunk would make of it (the edge punctuation dropped), without reading it again.
      out.push(foldPlainWord(t.slice(wordStarts[k], wordEnds[k]), context, plain));
      k++;
      continue;
    }
    const chunk = t.slice(starts[k], ends[k]);
    // s p a c e d letters: three or more one-letter chunks, each one space apart; a wider gap
    // ends the word, so "b u y  c o k e" reads "buy coke".
    if (isSpacedUnit(chunk)) {
      let j = k + 1;
      while (j < n && (starts[j] as number) - (ends[j - 1] as number) === 1 && isSpacedUnit(t.slice(starts[j], ends[j]))) j++;
      if (j - k >= 3) {
        let word = '';
        for (let m = k; m < j; m++) word += t[starts[m] as number];
        if (countLetters(word) >= 2) {
          emitSegment(word, out);
          k = j;
          continue;
        }
      }
    }
    // "+7 999 123-45-67" / "8 (800) 555 35 35": digit groups one space apart make one phone.
    const first = chunk.charCodeAt(0);
    if (((first >= 48 && first <= 57) || first === 43 || first === 40) && PHONE_CHARS.test(chunk)) {
      let j = k + 1;
      let digits = digitCount(chunk);
      let shaped = /[+(-]/.test(chunk);
      while (j < n && (starts[j] as number) - (ends[j - 1] as number) === 1) {
        const next = t.slice(starts[j], ends[j]);
        if (!PHONE_CHARS.test(next.replace(/[.,;:]$/, ''))) break;
        digits += digitCount(next);
        shaped ||= /[()-]/.test(next);
        j++;
      }
      if (j - k >= 2 && shaped && digits >= 7 && digits <= 15) {
        out.push(PHONE_TOKEN);
        k = j;
        continue;
      }
    }
    const dotted = joinDotted(chunk);
    if (dotted) emitSegment(dotted, out);
    else emitChunk(chunk, out, (urlish[k] as number) === 1);
    k++;
  }
  return out;
}

/** The normalised text as one string: what tests, dedupe keys and humans look at. */
export function normalizeText(text: string, maxChars?: number): string {
  return tokenize(text, maxChars).join(' ');
}
