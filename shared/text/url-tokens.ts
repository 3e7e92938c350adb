import { foldWord } from './word-folding.js';

/**
 * URLs, e-mail addresses and @handles become a marker token plus the parts that identify where
 * they point: the host (a unigram, never split into character n-grams) and a few words from
 * domain labels and paths ("t.me/coke_msk" says more than "<url>").
 */

export const URL_TOKEN = '<url>';
export const EMAIL_TOKEN = '<email>';
export const HANDLE_TOKEN = '<handle>';

// Common generic and the project's country TLDs; a bare "word.word" is a URL only with one of
// these, so "end.it" typed without a space is rare collateral, "hello.world" is not a link.
const TLDS = new Set(
  (
    'com net org info biz io co me ly gg to cc tv ws xyz top site online shop store app link club pro live click ' +
    'ru su рф ua укр kz қаз by de at ch es mx ar cl co pe fr it nl be pl cz uk us eu ca au ir ae sa eg iq tr kr jp cn ' +
    'in br pt se no fi dk gr il id vn th my ph pk ng za ke onion bot icu vip win bet cash money market'
  ).split(' '),
);

const MAX_URL_WORDS = 6;

function pushWords(source: string, out: string[], budget: number): number {
  let used = 0;
  for (const w of source.split(/[^\p{L}\p{N}]+/u)) {
    if (used >= budget) break;
    if (w.length >= 3 && !/^\d+$/.test(w)) {
      // Path and handle words get the same leet folding as text: "t.me/vid3o_l0gin".
      out.push(foldWord(w));
      used++;
    }
  }
  return used;
}

function hostOf(chunk: string, start: number): { host: string; rest: string } {
  let end = chunk.length;
  for (let i = start; i < chunk.length; i++) {
    const c = chunk.charCodeAt(i);
    if (c === 47 || c === 63 || c === 35 || c === 58) {
      // '/', '?', '#', ':' (port)
      end = i;
      break;
    }
  }
  return { host: chunk.slice(start, end), rest: chunk.slice(end) };
}

function isHost(host: string): boolean {
  const dot = host.lastIndexOf('.');
  if (dot <= 0 || dot === host.length - 1) return false;
  if (!TLDS.has(host.slice(dot + 1))) return false;
  return /^[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+$/u.test(host);
}

function emitHost(host: string, out: string[]): number {
  const h = host.startsWith('www.') ? host.slice(4) : host;
  out.push(h);
  const labels = h.split('.');
  if (labels.length > 2) out.push(labels.slice(-2).join('.'));
  return pushWords(labels.slice(0, -1).join(' '), out, 3);
}

/**
 * Tries to read `chunk` (lower-cased, outer punctuation trimmed) as a URL, e-mail or handle.
 * Pushes its tokens and returns true, or returns false and pushes nothing.
 */
export function urlTokens(chunk: string, out: string[]): boolean {
  const at = chunk.indexOf('@');
  if (at === 0) {
    const name = chunk.slice(1);
    if (!/^[a-z0-9_.]{2,64}$/.test(name)) return false;
    out.push(HANDLE_TOKEN);
    pushWords(name.replace(/_/g, ' '), out, 4);
    return true;
  }
  if (at > 0) {
    const { host } = hostOf(chunk, at + 1);
    if (!isHost(host) || !/^[\w.+-]+$/.test(chunk.slice(0, at))) return false;
    out.push(EMAIL_TOKEN);
    emitHost(host, out);
    return true;
  }
  let start = 0;
  const scheme = chunk.indexOf('://');
  if (scheme > 0 && scheme <= 6) start = scheme + 3;
  const { host, rest } = hostOf(chunk, start);
  if (!isHost(host)) return false;
  out.push(URL_TOKEN);
  const used = emitHost(host, out);
  if (rest.length > 1) pushWords(rest, out, MAX_URL_WORDS - used);
  return true;
}

