/**
 * A rough Latin phonetic key for a word in any of the corpus scripts, so loanwords and names that
 * policy texts share across languages meet in one place: "cocaine", "Kokain", "кокаин", "كوكايين"
 * and "코카인" all key to "kokain"; "bitcoin", "биткоин", "بيتكوين", "비트코인" to "bitkoin".
 * It is a feature view, not a transliteration anyone reads: vowels and endings are crude on
 * purpose, and the featurizer hashes the key's character n-grams next to the word's own.
 */

const TABLE = new Map<number, string>();
function add(pairs: string): void {
  for (const pair of pairs.split(' ')) {
    const [from, ...rest] = [...pair];
    if (from) TABLE.set(from.charCodeAt(0), rest.join('').replace('_', ''));
  }
}
// Cyrillic (Russian, Ukrainian, Kazakh); _ marks a letter that keys to nothing.
add('аa бb вv гg ґg дd еe єe жzh зz иi іi їi йi кk лl мm нn оo пp рr сs тt уu фf хh цts чch шsh щsh ъ_ ыi ь_ эe юiu яia');
add('әa ғg қk ңn өo ұu үu һh');
// Greek.
add('αa βv γg δd εe ζz ηi θt ιi κk λl μm νn ξks οo πp ρr σs ςs τt υi φf χh ψps ωo');
// Arabic and Persian (short vowels are not written; the long ones carry the key).
add('اa آa أa إa بb پp تt ثs جj چch حh خh دd ذz رr زz ژzh سs شsh صs ضd طt ظz ع_ غg فf قk كk کk گg لl مm نn هh ةa وo يi یi ىa ء_ ئ_ ؤo');

// Hangul syllables decompose arithmetically into lead, vowel and tail jamo.
const LEAD = ['g', 'kk', 'n', 'd', 'tt', 'r', 'm', 'b', 'pp', 's', 'ss', '', 'j', 'jj', 'ch', 'k', 't', 'p', 'h'];
// ㅡ (eu) is mostly the vowel Korean inserts into foreign consonant clusters: keyed to nothing.
const VOWEL = ['a', 'ae', 'ya', 'yae', 'eo', 'e', 'yeo', 'ye', 'o', 'wa', 'wae', 'oe', 'yo', 'u', 'wo', 'we', 'wi', 'yu', '', 'ui', 'i'];
const TAIL = ['', 'k', 'k', 'k', 'n', 'n', 'n', 't', 'l', 'l', 'l', 'l', 'l', 'l', 'l', 'l', 'm', 'p', 'p', 't', 't', 'ng', 't', 't', 'k', 't', 'p', 't'];

function hangul(code: number): string {
  const s = code - 0xac00;
  return `${LEAD[Math.floor(s / 588)] ?? ''}${VOWEL[Math.floor((s % 588) / 28)] ?? ''}${TAIL[s % 28] ?? ''}`;
}

/**
 * Spelling rules applied to the romanised string, Latin words included, so "cocaine", "kokain"
 * and "kokaine" agree: c → k (s before e, i, y), ph → f, th → t, ck/q → k, z → s, w → v, y → i,
 * x → ks, ae → e, lr → l, doubled letters once, a final silent e dropped.
 */
function spell(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    const next = s[i + 1];
    let r = ch;
    if (ch === 'c') {
      if (next === 'h') {
        r = 'ch';
        i++;
      } else if (next === 'k') {
        r = 'k';
        i++;
      } else r = next === 'e' || next === 'i' || next === 'y' ? 's' : 'k';
    } else if (ch === 'p' && next === 'h') {
      r = 'f';
      i++;
    } else if ((ch === 't' || ch === 'd') && next === 'h') {
      r = ch;
      i++;
    } else if (ch === 'l' && next === 'r') {
      r = 'l'; // Hangul ㄹ+ㄹ across syllables ("텔레" → tel-re) is one l
      i++;
    } else if (ch === 'a' && next === 'e') {
      r = 'e';
      i++;
    } else if (ch === 'z') r = 's';
    else if (ch === 'q') r = 'k';
    else if (ch === 'w') r = 'v';
    else if (ch === 'y') r = 'i';
    else if (ch === 'x') r = 'ks';
    if (out.length && out[out.length - 1] === r) continue;
    out += r;
  }
  if (out.length > 4 && out.endsWith('e')) out = out.slice(0, -1);
  return out;
}

/**
 * The key, or null for words with nothing to romanise (symbols, digits only, other scripts).
 * Letters outside the tables (accents are already folded) are kept as they are.
 */
export function phoneticKey(word: string): string | null {
  let roman = '';
  let letters = 0;
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c >= 97 && c <= 122) {
      roman += word[i];
      letters++;
    } else if (c >= 0xac00 && c <= 0xd7a3) {
      roman += hangul(c);
      letters++;
    } else {
      const m = TABLE.get(c);
      if (m !== undefined) {
        roman += m;
        letters++;
      } else if (c >= 48 && c <= 57) roman += word[i];
      else return null;
    }
  }
  if (letters < 3) return null;
  return spell(roman);
}
