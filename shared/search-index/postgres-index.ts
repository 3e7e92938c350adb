import type { Item } from '../items/item-schema.js';
import type { Db } from '../store/db.js';
import type { Scope } from '../store/event-types.js';
import type { ScanPage, SearchIndex, Visibility } from './search-index.js';

export interface SearchHit {
  id: string;
  kind: string;
  channel_id: string;
  title: string | null;
  snippet: string;
  rank: number;
}

/**
 * The embedded default's search index: a tsvector table in the record's database, served at
 * `GET /search` so a newcomer watches violating items vanish.
 */
export class PostgresSearchIndex implements SearchIndex {
  readonly name = 'postgres';
  constructor(private readonly db: Db) {}

  /** Adds or refreshes entries (what the platform's indexer would do). Visibility is untouched. */
  async upsert(items: readonly Item[]): Promise<void> {
    if (items.length === 0) return;
    await this.db.query(
      `INSERT INTO search_entries (id, kind, channel_id, title, body, url, language, media, subscribers, views)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(id text, kind text, channel_id text, title text, body text,
         url text, language text, media jsonb, subscribers bigint, views bigint) ORDER BY id
       ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, channel_id = excluded.channel_id, title = excluded.title,
         body = excluded.body, url = excluded.url, language = excluded.language, media = excluded.media,
         subscribers = excluded.subscribers, views = excluded.views, updated_at = now()`,
      [
        JSON.stringify(
          [...new Map(items.map((i) => [i.id, i])).values()].map((i) => ({
            id: i.id, kind: i.kind, channel_id: i.channel_id, title: i.title ?? null, body: i.text, url: i.url ?? null,
            language: i.language ?? null, media: i.media, subscribers: i.reach.subscribers ?? null, views: i.reach.views ?? null,
          })),
        ),
      ],
    );
  }

  async scan(cursor: string | null, limit: number): Promise<ScanPage> {
    const r = await this.db.query<Record<string, unknown>>(
      `SELECT id, kind, channel_id, title, body, url, language, media, subscribers, views FROM search_entries
       WHERE ($1::text IS NULL OR id > $1) ORDER BY id LIMIT $2`,
      [cursor, limit],
    );
    const entries = r.rows.map((row) => {
      const reach: Record<string, number> = {};
      if (row.subscribers != null) reach.subscribers = Number(row.subscribers);
      if (row.views != null) reach.views = Number(row.views);
      const entry: Record<string, unknown> = { id: row.id, kind: row.kind, channel_id: row.channel_id, text: row.body, media: row.media, reach };
      if (row.title != null) entry.title = row.title;
      if (row.url != null) entry.url = row.url;
      if (row.language != null) entry.language = row.language;
      return entry;
    });
    const last = r.rows.at(-1);
    return { entries, next: r.rows.length === limit && last ? String(last.id) : null };
  }

  async delist(id: string, scope: Scope): Promise<{ changed: boolean }> {
    const r =
      'global' in scope
        ? await this.db.query('UPDATE search_entries SET delisted_global = true, updated_at = now() WHERE id = $1 AND NOT delisted_global', [id])
        : await this.db.query(
            `UPDATE search_entries SET delisted_in = ARRAY(SELECT DISTINCT j FROM unnest(delisted_in || $2::text[]) AS j ORDER BY j),
               updated_at = now() WHERE id = $1 AND NOT delisted_in @> $2::text[]`,
            [id, scope.jurisdictions],
          );
    return { changed: r.affectedRows > 0 };
  }

  async restore(id: string, scope: Scope): Promise<{ changed: boolean }> {
    const r =
      'global' in scope
        ? await this.db.query(
            `UPDATE search_entries SET delisted_global = false, delisted_in = '{}', updated_at = now()
             WHERE id = $1 AND (delisted_global OR cardinality(delisted_in) > 0)`,
            [id],
          )
        : await this.db.query(
            `UPDATE search_entries SET delisted_in = ARRAY(SELECT j FROM unnest(delisted_in) AS j WHERE j <> ALL($2::text[]) ORDER BY j),
               updated_at = now() WHERE id = $1 AND delisted_in && $2::text[]`,
            [id, scope.jurisdictions],
          );
    return { changed: r.affectedRows > 0 };
  }

  async visibility(id: string): Promise<Visibility> {
    const r = await this.db.query<{ delisted_global: boolean; delisted_in: string[] }>(
      'SELECT delisted_global, delisted_in FROM search_entries WHERE id = $1',
      [id],
    );
    const row = r.rows[0];
    return row ? { exists: true, delisted_global: row.delisted_global, delisted_in: row.delisted_in } : { exists: false, delisted_global: false, delisted_in: [] };
  }

  /** What a searcher in `country` sees; delisted entries (globally or there) are gone. */
  async search(q: string, options: { country?: string; limit?: number } = {}): Promise<SearchHit[]> {
    const r = await this.db.query<SearchHit>(
      `SELECT id, kind, channel_id, title, left(body, 280) AS snippet,
              CASE WHEN $1 = '' THEN 0 ELSE ts_rank(tsv, websearch_to_tsquery('simple', $1)) END AS rank
       FROM search_entries
       WHERE ($1 = '' OR tsv @@ websearch_to_tsquery('simple', $1))
         AND NOT delisted_global AND ($2::text IS NULL OR NOT ($2 = ANY (delisted_in)))
       ORDER BY rank DESC, id LIMIT $3`,
      [q.trim(), options.country ?? null, options.limit ?? 20],
    );
    return r.rows;
  }
}
