/**
 * Korean written in separate jamo ("ㅋㅗㅋㅏㅇㅣㄴ" for "코카인") is an evasion. Folding turns the
 * compatibility jamo into conjoining jamo; NFC then composes lead+vowel pairs into syllables, and
 * this module finishes the job NFC cannot: a lead consonant left after a syllable without a tail,
 * and not followed by a vowel, is that syllable's tail ("코카이ㄴ" → "코카인"). Initial-consonant
 * abbreviations (ㅈㄱㅁㄴ) have no vowels and stay as they are.
 */

const JAMO = /[\u1100-\u11ff]/;
// Lead consonant index (U+1100 + i) → tail index (0 = cannot be a tail: ㄸ ㅃ ㅉ).
const LEAD_TO_TAIL = [1, 2, 4, 7, 0, 8, 16, 17, 0, 19, 20, 21, 22, 0, 23, 24, 25, 26, 27];

export function hasConjoiningJamo(s: string): boolean {
  return JAMO.test(s);
}

export function composeHangul(s: string): string {
  const nfc = s.normalize('NFC');
  if (!JAMO.test(nfc)) return nfc;
  let out = '';
  for (let i = 0; i < nfc.length; i++) {
    const c = nfc.charCodeAt(i);
    const prev = out.charCodeAt(out.length - 1);
    const next = nfc.charCodeAt(i + 1);
    const isLead = c >= 0x1100 && c <= 0x1112;
    const prevOpen = prev >= 0xac00 && prev <= 0xd7a3 && (prev - 0xac00) % 28 === 0;
    const nextIsVowel = next >= 0x1161 && next <= 0x1175;
    const tail = isLead ? (LEAD_TO_TAIL[c - 0x1100] as number) : 0;
    if (isLead && prevOpen && !nextIsVowel && tail > 0) {
      out = out.slice(0, -1) + String.fromCharCode(prev + tail);
      continue;
    }
    out += nfc[i];
  }
  return out;
}
