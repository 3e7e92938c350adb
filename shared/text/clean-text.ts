import { composeHangul, hasConjoiningJamo } from './hangul-compose.js';

/**
 * Character clean-up before tokenizing: case folding, NFKC plus accent folding, invisible and
 * format characters dropped, Arabic/Persian digit and letter variants unified, Hangul jamo
 * composed; and clipping of huge texts. Per-character results are cached, since every item
 * passes through here.
 */

// Combining marks (accents, Zalgo stacks, Arabic harakat), format characters (zero-width
// joiners, bidi controls, soft hyphen, BOM), tatweel and the Hangul fillers used as invisible ink.
const INVISIBLE = /[\p{Mn}\p{Me}\p{Cf}\u0640\u115f\u1160\u3164\uffa0]/gu;
// Arabic-Indic and Persian digits to ASCII; Persian yeh/kaf and alef maksura to the Arabic forms,
// since writers of both languages mix them freely.
const REMAP = /[\u0660-\u0669\u06f0-\u06f9\u06cc\u06a9\u0649]/g;
function remapChar(ch: string): string {
  const c = ch.charCodeAt(0);
  if (c >= 0x0660 && c <= 0x0669) return String.fromCharCode(48 + c - 0x0660);
  if (c >= 0x06f0 && c <= 0x06f9) return String.fromCharCode(48 + c - 0x06f0);
  if (c === 0x06a9) return '\u0643';
  return '\u064a';
}

// Scripts whose vowel signs, viramas and tone marks are combining marks (Indic, Thai and Lao,
// Tibetan, Myanmar, Khmer): there a mark is part of the spelling, and dropping it turns
// "कोकीन" into "ककन". Their marks stay, in canonical decomposition, so the precomposed and the
// spelled-out forms of a letter ("ো" and "ে" + "া") read the same.
const SPELLING_MARK_BLOCKS: readonly (readonly [number, number])[] = [
  [0x0900, 0x0fff], // Devanagari … Sinhala, Thai, Lao, Tibetan
  [0x1000, 0x109f], // Myanmar
  [0x1780, 0x17ff], // Khmer
  [0x1cd0, 0x1cff], // Vedic extensions
  [0xa8e0, 0xa8ff], // Devanagari extended
  [0xaa60, 0xaa7f], // Myanmar extended
];
function inSpellingMarkScript(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (SPELLING_MARK_BLOCKS.some(([lo, hi]) => c >= lo && c <= hi)) return true;
  }
  return false;
}

// Decimal digits of every script read as ASCII: "५००" is "500". Digit blocks are runs of ten
// starting at zero, so a digit's value is its distance from the start of its run.
const OTHER_DIGIT = /(?![0-9])\p{Nd}/gu;
const DIGIT = /^\p{Nd}$/u;
function asciiDigit(ch: string): string {
  const cp = ch.codePointAt(0) as number;
  let start = cp;
  while (DIGIT.test(String.fromCodePoint(start - 1))) start--;
  return String.fromCharCode(48 + ((cp - start) % 10));
}

/**
 * What one character becomes: NFKD, marks and invisibles dropped, NFC, remapped, lower-cased.
 * NFKD-then-NFC after dropping marks is NFKC plus accent folding: "ｂ", "𝐛" and "ⓑ" become "b",
 * "é" "e", "ё" "е". Since every mark is dropped, mapping character by character equals mapping
 * the whole string (nothing is left to compose), so results are cached per character. In the
 * scripts of SPELLING_MARK_BLOCKS the marks stay and nothing is composed, which keeps that equality.
 */
function foldChar(ch: string): string {
  const d = ch.normalize('NFKD');
  const kept = inSpellingMarkScript(d) ? d.replace(INVISIBLE, (m) => (inSpellingMarkScript(m) ? m : '')) : d.replace(INVISIBLE, '').normalize('NFC');
  return kept.replace(REMAP, remapChar).replace(OTHER_DIGIT, asciiDigit).toLowerCase();
}

const SAME = 1;
const MAPPED = 2;
const unitState = new Uint8Array(65536);
const unitMapped = new Map<number, string>();
const astralMapped = new Map<number, string | null>();

function unitFold(c: number): number {
  let st = unitState[c] as number;
  if (st === 0) {
    const ch = String.fromCharCode(c);
    const folded = foldChar(ch);
    st = folded === ch ? SAME : MAPPED;
    if (st === MAPPED) unitMapped.set(c, folded);
    unitState[c] = st;
  }
  return st;
}

/** null when the astral character stays as it is (most emoji). */
function astralFold(cp: number): string | null {
  let m = astralMapped.get(cp);
  if (m === undefined) {
    const ch = String.fromCodePoint(cp);
    const folded = foldChar(ch);
    m = folded === ch ? null : folded;
    astralMapped.set(cp, m);
  }
  return m;
}

/**
 * Case folding and Unicode clean-up (see foldChar). Text whose characters all stay as they are
 * (ASCII, most Cyrillic, Arabic, Hangul, emoji) is returned without copying.
 */
export function cleanText(text: string): string {
  const t = text.toLowerCase();
  const n = t.length;
  let out: string | null = null;
  let runStart = 0;
  let jamo = false;
  for (let i = 0; i < n; i++) {
    const c = t.charCodeAt(i);
    if (c < 128) continue;
    let mapped: string | null = null;
    let width = 1;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      width = 2;
      mapped = astralFold(t.codePointAt(i) as number);
    } else if (unitFold(c) === MAPPED) {
      mapped = unitMapped.get(c) as string;
    }
    // Jamo that stay in the text (the fillers U+115F/U+1160 fold away, so they do not count).
    if (mapped === null) {
      if (c >= 0x1100 && c <= 0x11ff) jamo = true;
    } else {
      if (!jamo && hasConjoiningJamo(mapped)) jamo = true;
      out = (out ?? '') + t.slice(runStart, i) + mapped;
      runStart = i + width;
    }
    i += width - 1;
  }
  if (out === null) return t;
  out += t.slice(runStart);
  // Folding splits nothing that was whole, but jamo written one by one need composing.
  return jamo ? composeHangul(out) : out;
}

/** Long texts keep their head and their tail, so padding either end cannot hide the payload. */
export function clipText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const head = Math.floor((maxChars * 2) / 3);
  return `${text.slice(0, head)} ${text.slice(text.length - (maxChars - head - 1))}`;
}
