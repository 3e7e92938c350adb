import type { Item } from './item-schema.js';

const iso = (v: unknown): string | undefined =>
  v instanceof Date ? v.toISOString() : typeof v === 'string' ? new Date(v).toISOString() : undefined;

/** An `items` row as the drivers return it → the item it was stored from (for re-classification). */
export function itemFromRow(row: Record<string, unknown>): Item {
  const reach: Item['reach'] = {};
  if (row.subscribers != null) reach.subscribers = Number(row.subscribers);
  if (row.views != null) reach.views = Number(row.views);
  const item: Item = {
    id: String(row.id),
    kind: row.kind as Item['kind'],
    channel_id: String(row.channel_id),
    text: String(row.text ?? ''),
    media: (row.media as Item['media'] | null) ?? [],
    reach,
    jurisdictions: (row.jurisdictions as string[] | null) ?? [],
  };
  if (row.title != null) item.title = String(row.title);
  if (row.url != null) item.url = String(row.url);
  if (row.language != null) item.language = String(row.language);
  const posted = iso(row.posted_at);
  if (posted) item.posted_at = posted;
  return item;
}
