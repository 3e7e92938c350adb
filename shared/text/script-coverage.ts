/**
 * Which writing system a text is in, so a model only acts on text it can read. A text model that
 * never saw Japanese still produces scores for it, and those scores are noise: acting on them
 * sends benign posts to review (or worse). Counting letters per script is enough to tell.
 */
const SCRIPTS = ['Latin', 'Cyrillic', 'Arabic', 'Hangul', 'Han', 'Hiragana', 'Katakana', 'Thai', 'Devanagari', 'Bengali', 'Hebrew', 'Greek', 'Georgian', 'Armenian', 'Tamil', 'Ethiopic'] as const;
export type Script = (typeof SCRIPTS)[number];

const PATTERNS = SCRIPTS.map((s) => [s, new RegExp(`\\p{Script=${s}}`, 'gu')] as const);

/** The script of the languages a model was trained on (ISO 639-1). */
const LANGUAGE_SCRIPT: Record<string, Script> = {
  en: 'Latin', de: 'Latin', es: 'Latin', fr: 'Latin', pt: 'Latin', tr: 'Latin', it: 'Latin', pl: 'Latin', nl: 'Latin', uz: 'Latin', az: 'Latin', id: 'Latin', vi: 'Latin', ms: 'Latin',
  ru: 'Cyrillic', uk: 'Cyrillic', kk: 'Cyrillic', be: 'Cyrillic', bg: 'Cyrillic', sr: 'Cyrillic',
  ar: 'Arabic', fa: 'Arabic', ur: 'Arabic',
  ko: 'Hangul', zh: 'Han', ja: 'Han', th: 'Thai', hi: 'Devanagari', bn: 'Bengali', ta: 'Tamil', he: 'Hebrew', el: 'Greek', ka: 'Georgian', hy: 'Armenian',
};

export function scriptsOfLanguages(languages: readonly string[]): Set<Script> {
  const out = new Set<Script>();
  for (const l of languages) {
    const s = LANGUAGE_SCRIPT[l];
    if (s) out.add(s);
  }
  return out;
}

/** The script most of the text's letters are in (first 4,000 characters), or null for no letters. */
export function dominantScript(text: string): Script | null {
  const sample = text.slice(0, 4_000);
  let best: Script | null = null;
  let bestCount = 0;
  for (const [script, re] of PATTERNS) {
    const n = sample.match(re)?.length ?? 0;
    if (n > bestCount) {
      best = script;
      bestCount = n;
    }
  }
  // Japanese mixes kana into Han text: read them as one script for coverage purposes.
  return best === 'Hiragana' || best === 'Katakana' ? 'Han' : best;
}
