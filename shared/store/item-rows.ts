import type { Item } from '../items/item-schema.js';
import { contentHash } from '../items/content-hash.js';
import type { Queryable } from './db.js';

export interface ItemRow {
  id: string;
  kind: string;
  channel_id: string;
  title: string | null;
  text: string;
  url: string | null;
  media: unknown[];
  language: string | null;
  subscribers: number | null;
  views: number | null;
  jurisdictions: string[];
  content_hash: string;
  posted_at: string | null;
}

export function toItemRow(item: Item, hash = contentHash(item)): ItemRow {
  return {
    id: item.id,
    kind: item.kind,
    channel_id: item.channel_id,
    title: item.title ?? null,
    text: item.text,
    url: item.url ?? null,
    media: item.media,
    language: item.language ?? null,
    subscribers: item.reach.subscribers ?? null,
    views: item.reach.views ?? null,
    jurisdictions: item.jurisdictions,
    content_hash: hash,
    posted_at: item.posted_at ?? null,
  };
}

const COLUMNS = `id text, kind text, channel_id text, title text, text text, url text, media jsonb, language text,
  subscribers bigint, views bigint, jurisdictions text[], content_hash text, posted_at timestamptz`;

/** Bulk upsert: one statement for the whole batch; the last row wins for a repeated id. */
export async function upsertItems(tx: Queryable, rows: readonly ItemRow[]): Promise<void> {
  if (rows.length === 0) return;
  const byId = new Map(rows.map((r) => [r.id, r]));
  await tx.query(
    `INSERT INTO items (id, kind, channel_id, title, text, url, media, language, subscribers, views, jurisdictions, content_hash, posted_at)
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(${COLUMNS}) ORDER BY id
     ON CONFLICT (id) DO UPDATE SET
       kind = excluded.kind, channel_id = excluded.channel_id, title = excluded.title, text = excluded.text,
       url = excluded.url, media = excluded.media, language = excluded.language,
       subscribers = excluded.subscribers, views = excluded.views, jurisdictions = excluded.jurisdictions,
       content_hash = excluded.content_hash, posted_at = excluded.posted_at, last_seen = now()`,
    [JSON.stringify([...byId.values()])],
  );
}
