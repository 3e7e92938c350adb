import { z } from 'zod';
import type { Db } from '../../shared/store/db.js';
import type { SearchIndex } from '../../shared/search-index/search-index.js';
import { readStatusRow } from '../../shared/store/status-rows.js';

const iso = (v: unknown): string | null => (v instanceof Date ? v.toISOString() : typeof v === 'string' ? new Date(v).toISOString() : null);

export const itemStatusSchema = z.object({
  id: z.string(),
  item: z
    .object({
      kind: z.string(),
      channel_id: z.string(),
      title: z.string().nullable(),
      text: z.string(),
      url: z.string().nullable(),
      language: z.string().nullable(),
      content_hash: z.string(),
      first_seen: z.string().nullable(),
      last_seen: z.string().nullable(),
    })
    .nullable(),
  /** From the record: what modpipe has delisted, and where. */
  visibility: z.object({
    visible: z.boolean(),
    delisted_global: z.boolean(),
    delisted_in: z.array(z.string()),
    /** What the search index itself says now (null when it did not answer). */
    index: z.object({ exists: z.boolean(), delisted_global: z.boolean(), delisted_in: z.array(z.string()) }).nullable(),
  }),
  last_verdict: z
    .object({
      verdict: z.string(),
      category: z.string().nullable(),
      scores: z.record(z.string(), z.number()),
      model_version: z.string().nullable(),
      classified_at: z.string().nullable(),
    })
    .nullable(),
  /** The review case, when one is open or escalated. */
  open_case: z
    .object({ state: z.enum(['open', 'escalated']), category: z.string().nullable(), priority: z.number(), claimed_by: z.string().nullable(), claimed_until: z.string().nullable() })
    .nullable(),
  reports: z.object({ count: z.number().int() }),
  events: z.array(
    z.object({ seq: z.number().int(), type: z.string(), actor: z.string(), payload: z.record(z.string(), z.unknown()), created_at: z.string(), hash: z.string() }),
  ),
});
export type ItemStatus = z.infer<typeof itemStatusSchema>;

/** An item's current status: visibility, last verdict, open case, reports and its full event history. */
export async function loadItemStatus(db: Db, index: SearchIndex, id: string): Promise<ItemStatus | null> {
  const [itemRows, statusRows, eventRows, indexVisibility] = await Promise.all([
    db.query<Record<string, unknown>>('SELECT kind, channel_id, title, text, url, language, content_hash, first_seen, last_seen FROM items WHERE id = $1', [id]),
    db.query<Record<string, unknown>>('SELECT * FROM subject_status WHERE subject_id = $1', [id]),
    db.query<{ seq: number; type: string; actor: string; payload: Record<string, unknown>; created_at: unknown; hash: string }>(
      'SELECT seq, type, actor, payload, created_at, hash FROM events WHERE subject_id = $1 ORDER BY seq',
      [id],
    ),
    index.visibility(id).catch(() => null),
  ]);
  const row = itemRows.rows[0];
  if (!row && !statusRows.rows[0]) return null;
  const s = statusRows.rows[0] ? readStatusRow(statusRows.rows[0]) : null;
  return {
    id,
    item: row
      ? {
          kind: String(row.kind), channel_id: String(row.channel_id), title: (row.title as string | null) ?? null, text: String(row.text ?? ''),
          url: (row.url as string | null) ?? null, language: (row.language as string | null) ?? null, content_hash: String(row.content_hash),
          first_seen: iso(row.first_seen), last_seen: iso(row.last_seen),
        }
      : null,
    visibility: {
      visible: !s || (!s.takedown_global && s.takedown_jurisdictions.length === 0),
      delisted_global: s?.takedown_global ?? false,
      delisted_in: s?.takedown_jurisdictions ?? [],
      index: indexVisibility,
    },
    last_verdict: s?.last_verdict
      ? { verdict: s.last_verdict, category: s.last_category, scores: s.last_scores ?? {}, model_version: s.model_version, classified_at: s.classified_at }
      : null,
    open_case:
      s && (s.review_state === 'open' || s.review_state === 'escalated')
        ? { state: s.review_state, category: s.review_category, priority: s.priority, claimed_by: s.claimed_by, claimed_until: s.claimed_until }
        : null,
    reports: { count: s?.report_count ?? 0 },
    events: eventRows.rows.map((e) => ({ seq: e.seq, type: e.type, actor: e.actor, payload: e.payload, created_at: iso(e.created_at) ?? '', hash: e.hash })),
  };
}
