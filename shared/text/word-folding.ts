import { C_DIGIT, C_LETTER, S_CYRILLIC, S_GREEK, S_LATIN, charInfo, classOf, scriptOf } from './char-classes.js';

/**
 * Undoes the evasions that live inside one word: mixed-script homoglyphs, leet digits and
 * symbols, stretched letters. Input is one lower-cased word made of letters, ASCII digits and the
 * leet symbols @ $ !. A word written in one script is never moved to another: only the
 * minority-script look-alikes of a mixed word are folded toward the word's majority script, so
 * "кокаин" stays Cyrillic and "kокaин" (Latin k, a) becomes "кокаин".
 */

type CodeMap = ReadonlyMap<number, number>;

function codeMap(pairs: string): CodeMap {
  const m = new Map<number, number>();
  for (const pair of pairs.split(' ')) {
    const [from, to] = [...pair];
    if (from && to) m.set(from.charCodeAt(0), to.charCodeAt(0));
  }
  return m;
}

// Pairs are "from to" as two characters; lower case only, since words are lower-cased first
// (an upper-case Latin H in a Cyrillic word arrives as h and must fold to н).
const LATIN_TO_CYRILLIC = codeMap('aа bв cс eе hн iі jј kк mм nп oо pр rг tт xх yу');
const CYRILLIC_TO_LATIN = codeMap('аa вb сc еe нh іi јj кk мm оo рp тt хx уy ѕs пn гr ԁd һh үy ԛq ԝw ӏl');
const GREEK_TO_LATIN = codeMap('αa βb εe ηn ιi κk νv οo ρp τt υu χx γy ωw ςc');
const GREEK_TO_CYRILLIC = codeMap('αа βв εе κк οо ρр τт χх γу');
const LATIN_TO_GREEK = codeMap('aα bβ eε iι kκ oο pρ tτ uυ xχ yγ nη vν wω');
const CYRILLIC_TO_GREEK = codeMap('аα вβ еε кκ оο рρ тτ хχ уγ');

/** FOLD[from][to]: look-alike replacements from one script toward another. */
const FOLD: (CodeMap | undefined)[][] = [];
FOLD[S_LATIN] = [];
FOLD[S_CYRILLIC] = [];
FOLD[S_GREEK] = [];
FOLD[S_LATIN][S_CYRILLIC] = LATIN_TO_CYRILLIC;
FOLD[S_LATIN][S_GREEK] = LATIN_TO_GREEK;
FOLD[S_CYRILLIC][S_LATIN] = CYRILLIC_TO_LATIN;
FOLD[S_CYRILLIC][S_GREEK] = CYRILLIC_TO_GREEK;
FOLD[S_GREEK][S_LATIN] = GREEK_TO_LATIN;
FOLD[S_GREEK][S_CYRILLIC] = GREEK_TO_CYRILLIC;

/** Leet per target script: Russian writers use 3 for з and 4 for ч, not for e and a. */
const LEET_LATIN = codeMap('0o 1i 3e 4a 5s 7t @a $s !i');
const LEET_CYRILLIC = codeMap('0о 3з 4ч 6б @а $с');
const LEET_GREEK = codeMap('0ο 3ε 4α @α');
const LEET: (CodeMap | undefined)[] = [];
LEET[S_LATIN] = LEET_LATIN;
LEET[S_CYRILLIC] = LEET_CYRILLIC;
LEET[S_GREEK] = LEET_GREEK;

// 1 where a letter has a look-alike in another script: such letters do not vote for a script.
export const AMBIGUOUS = new Uint8Array(65536);
for (const row of FOLD) for (const m of row ?? []) for (const from of m?.keys() ?? []) AMBIGUOUS[from] = 1;

const AT = 64;
const DOLLAR = 36;
const BANG = 33;

// Scratch space for the rare words that need rewriting; words are capped by the caller.
const buf = new Uint16Array(256);
// Indexed by script (char-classes S_*); only Latin, Cyrillic and Greek take part in votes.
const total = new Int32Array(8);
const distinct = new Int32Array(8);

/**
 * The word's own majority script: letters without look-alikes vote first, then all letters; when
 * every letter is a look-alike and the vote ties, the text's script decides.
 */
function pickScript(context: number): number {
  let best = 0;
  for (const s of [S_LATIN, S_CYRILLIC, S_GREEK]) {
    if (best === 0) {
      if ((total[s] as number) > 0) best = s;
      continue;
    }
    const ds = distinct[s] as number;
    const db = distinct[best] as number;
    if (ds > db || (ds === db && (total[s] as number) > (total[best] as number))) best = s;
  }
  let anyDistinct = 0;
  for (const s of [S_LATIN, S_CYRILLIC, S_GREEK]) anyDistinct += distinct[s] as number;
  if (anyDistinct === 0 && context !== 0 && (total[context] as number) > 0) return context;
  return best;
}

/**
 * A whole word spelled in Cyrillic or Greek look-alikes inside a Latin text ("fresh сосаіпе and
 * mdma") is an evasion: fold it to Latin when every letter has a Latin look-alike. Only toward
 * Latin: Latin words inside Cyrillic text are brands and loanwords ("iphone"), not evasion.
 */
function wholeWordToLatin(word: string, script: number): string | null {
  const map = FOLD[script]?.[S_LATIN];
  if (!map || word.length < 3) return null;
  let out = '';
  for (let i = 0; i < word.length; i++) {
    const m = map.get(word.charCodeAt(i));
    if (m === undefined) return null;
    out += String.fromCharCode(m);
  }
  return out;
}

/**
 * The script of a text from its counts of letters that have no look-alike elsewhere (the
 * tokenizer counts them while splitting): a clear two-thirds majority, else 0.
 */
export function scriptFromCounts(lat: number, cyr: number, grk: number): number {
  const sum = lat + cyr + grk;
  if (sum === 0) return 0;
  if (lat * 3 >= sum * 2) return S_LATIN;
  if (cyr * 3 >= sum * 2) return S_CYRILLIC;
  if (grk * 3 >= sum * 2) return S_GREEK;
  return 0;
}

/**
 * Folds one word; returns the input string itself when nothing changes (the common case).
 * `context` is the text's script (scriptFromCounts), used only to break ties.
 */
export function foldWord(word: string, context = 0): string {
  const n = word.length;
  if (n > buf.length) return word;
  // Pass 1, cheap: which scripts, any leet candidates, any letter repeated three times.
  let letters = 0;
  let leetish = 0;
  let scriptMask = 0;
  let repeats = false;
  let prev = -1;
  let run = 0;
  for (let i = 0; i < n; i++) {
    const c = word.charCodeAt(i);
    run = c === prev ? run + 1 : 1;
    if (run >= 3) repeats = true;
    prev = c;
    const info = charInfo(c);
    const cls = classOf(info);
    if (cls === C_LETTER) {
      letters++;
      scriptMask |= 1 << scriptOf(info);
    } else if (cls === C_DIGIT || c === AT || c === DOLLAR || c === BANG) {
      leetish++;
    }
  }
  const scripts = scriptMask & 0b1110;
  const mixed = scripts !== 0 && (scripts & (scripts - 1)) !== 0;
  if (!mixed && leetish === 0 && !repeats) {
    if (context !== S_LATIN || (scripts !== 1 << S_CYRILLIC && scripts !== 1 << S_GREEK) || letters !== n) return word;
    return wholeWordToLatin(word, scripts === 1 << S_CYRILLIC ? S_CYRILLIC : S_GREEK) ?? word;
  }

  // Pass 2, rare: votes per script, counting only letters without look-alikes when possible.
  total.fill(0);
  distinct.fill(0);
  for (let i = 0; i < n; i++) {
    const c = word.charCodeAt(i);
    const info = charInfo(c);
    if (classOf(info) !== C_LETTER) continue;
    const s = scriptOf(info);
    total[s] = (total[s] as number) + 1;
    if (AMBIGUOUS[c] === 0) distinct[s] = (distinct[s] as number) + 1;
  }
  const target = pickScript(context);
  // Leet only inside words that are mostly letters: "c0ke" and "k1ll", not "h2o" or "2024".
  const leet = target !== 0 && leetish > 0 && letters >= 2 && letters >= leetish ? LEET[target] : undefined;
  let out = 0;
  prev = -1;
  run = 0;
  for (let i = 0; i < n; i++) {
    let c = word.charCodeAt(i);
    if (leet) {
      const m = leet.get(c);
      if (m !== undefined) c = m;
    }
    if (mixed) {
      const s = scriptOf(charInfo(c));
      if (s !== target && s !== 0) {
        const m = FOLD[s]?.[target]?.get(c);
        if (m !== undefined) c = m;
      }
    }
    run = c === prev ? run + 1 : 1;
    prev = c;
    if (run >= 3) continue; // "freeeee" → "free": keep two, a real double letter survives
    buf[out++] = c;
  }
  return String.fromCharCode(...buf.subarray(0, out));
}
