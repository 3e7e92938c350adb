import { createHash } from 'node:crypto';
import type { Item } from './item-schema.js';

/**
 * A stable digest of what classifiers look at. Reach, timestamps and jurisdiction hints are left
 * out: a view count going up must not make a sweep re-classify the item.
 */
export function contentHash(item: Item): string {
  const canonical = JSON.stringify([
    item.kind,
    item.title ?? '',
    item.text.normalize('NFC'),
    item.url ?? '',
    item.media.map((m) => m.sha256 ?? (m.data ? `data:${createHash('sha256').update(m.data).digest('hex')}` : `url:${m.url}`)),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}
