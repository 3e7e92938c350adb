import type { ItemInput } from '../../shared/items/item-schema.js';

let n = 0;

/** A post with sensible defaults; tests override what they are about. */
export function post(overrides: Partial<ItemInput> = {}): ItemInput {
  n++;
  return {
    id: `post-${process.pid}-${n}-${Math.random().toString(36).slice(2, 8)}`,
    kind: 'post',
    channel_id: 'chan-news',
    text: 'Weather tomorrow: sunny, 21 degrees, light wind from the west.',
    reach: { subscribers: 1200, views: 340 },
    ...overrides,
  } as ItemInput;
}

/**
 * Text the default model leaves alone by a wide margin (every score under half of its review
 * threshold), even with the random suffix tests append to make items unique: a suffix's character
 * n-grams add noise, and short texts sit close to the model's bias.
 */
export const BENIGN_TEXT = 'Our choir rehearses on Thursday evening in the school hall';
/** Text the default rule list takes down (a listed phishing domain). */
export const PHISHING_TEXT = 'Claim your free Telegram Premium now: https://telegram-premium-gift.example/claim?id=991';
/** Text the default rule list sends to review (drug dead-drop slang). */
export const BORDERLINE_TEXT = 'Работаем по всему городу, закладки каждый день, пишите в личку';
